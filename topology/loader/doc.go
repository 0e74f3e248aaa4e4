// Package loader reads a compose project with compose-go and builds the
// topology.Topology that Docker would create: Load. Bad input yields a
// *topology.LoadError listing every problem with its file, line and
// column, sorted.
//
// It is kept apart from package topology (the model) so that a program
// that only reads stored topologies (topology/snapshot) need not link
// compose-go, whose package initialisers cost tens of milliseconds at
// every start.
package loader
