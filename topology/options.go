package topology

// Options says what to load and how; it mirrors the flags of docker
// compose. Package topology/loader loads a project from them.
type Options struct {
	// Files are the compose files, merged in order (-f). Empty means the
	// default discovery of docker compose from Dir upward.
	Files []string
	// Dir is the directory relative paths and discovery start from; default
	// the process working directory.
	Dir string
	// ProjectName is -p/--project-name.
	ProjectName string
	// ProjectDir is --project-directory.
	ProjectDir string
	// Profiles are the --profile values.
	Profiles []string
	// EnvFiles are --env-file values; empty means the project's .env.
	EnvFiles []string
	// Env is the process environment (KEY=VALUE); it wins over .env (R1-7).
	Env []string
	// HostFile is a host description YAML file (see ParseHost).
	HostFile string
	// Daemon are KEY=VALUE daemon settings applied after the host file.
	Daemon []string
	// Latency are HOP=DURATION latency overrides.
	Latency []string
	// SharedHost says the project is one of several on one host
	// (LoadProjects sets it): a static ipv4_address on an external network
	// that neither the project nor the host description configures is
	// kept for Merge, which checks it against the subnet of the project
	// that creates the network (R3-10), instead of being refused here.
	SharedHost bool
	// Record, when not nil, receives the inputs a successful load read
	// (see Inputs); a cache uses it to tell when the result is stale.
	Record *Inputs
}

// Inputs lists what a Load depended on, so that a cache of its result can
// tell whether the result still holds (package topology/snapshot).
//
// Files is a superset of the local files the load read or whose absence it
// relied on: the compose files, files pulled in through include: and
// extends.file, the project .env or --env-file files, the .env of included
// projects, services' env_file and label_file, the --host file, and, when
// no -f was given, every name docker compose's discovery looked for from
// the working directory up to the folder it found. A listed file that does
// not exist must still not exist for the result to hold.
//
// The environment variables the load looked up are not listed here: they
// are the $NAME references in those files, the keys of the services'
// environment (a bare KEY takes its value from the environment) and the
// COMPOSE_* variables, all of which a caller can find from Files and the
// Topology.
type Inputs struct {
	// Files are absolute paths, sorted, without duplicates.
	Files []string
	// Uncacheable is non-empty when the inputs cannot be listed
	// completely (a compose file read from stdin, a remote include, a path
	// built from a variable); it says why.
	Uncacheable string
}
