// Package topology is the model of what Docker Engine and Compose v2 build
// for a project: networks (subnet, gateway, internal, icc, masquerade),
// containers (replicas, names, endpoints, addresses, aliases, network
// mode), published ports, the daemon's settings and the host, with the
// position in the input of everything a message may point at. A Topology
// is immutable once built; the what-if methods return new ones.
//
// Package topology/loader builds a Topology from compose files with
// compose-go; this package does not link compose-go, so that a program
// that only reads a stored topology (topology/snapshot) starts quickly.
package topology
