package verify

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"
)

// Engine is what verify learned about the Docker Engine it talks to.
type Engine struct {
	Version    string `json:"version"`
	APIVersion string `json:"api_version"`
	OS         string `json:"os"`
	Kernel     string `json:"kernel"`
	// Compose is the docker compose version (not in the JSON schema).
	Compose string `json:"-"`
}

// docker runs the docker CLI.
type docker struct {
	bin string
	// env is the environment of every docker command.
	env []string
}

// ToolError says that docker or docker compose is missing or unusable;
// the CLI exits 2 with its message.
type ToolError struct{ Msg string }

func (e *ToolError) Error() string { return e.Msg }

func (d *docker) cmd(ctx context.Context, stdin io.Reader, args ...string) *exec.Cmd {
	c := exec.CommandContext(ctx, d.bin, args...)
	c.Env = d.env
	c.Stdin = stdin
	c.WaitDelay = 5 * time.Second
	return c
}

// run runs docker with args and returns its standard output; the error
// carries standard error.
func (d *docker) run(ctx context.Context, stdin io.Reader, args ...string) ([]byte, error) {
	var out, errb bytes.Buffer
	c := d.cmd(ctx, stdin, args...)
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return out.Bytes(), fmt.Errorf("docker %s: %s", strings.Join(firstArgs(args), " "), msg)
	}
	return out.Bytes(), nil
}

func firstArgs(a []string) []string {
	if len(a) > 3 {
		return a[:3]
	}
	return a
}

// detect checks that docker, its daemon and docker compose v2 are there
// and returns the engine's description.
func (d *docker) detect(ctx context.Context) (Engine, error) {
	var e Engine
	if _, err := exec.LookPath(d.bin); err != nil {
		return e, &ToolError{Msg: fmt.Sprintf("composenet verify needs the docker CLI: %q is not in PATH (install Docker Engine and its CLI)", d.bin)}
	}
	out, err := d.run(ctx, nil, "version", "--format", "{{json .Server}}")
	if err != nil {
		return e, &ToolError{Msg: "composenet verify cannot reach the Docker daemon: " + oneLine(err.Error())}
	}
	var v struct {
		Version       string
		APIVersion    string `json:"ApiVersion"`
		Os            string
		KernelVersion string
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &v); err != nil || v.Version == "" {
		return e, &ToolError{Msg: "composenet verify cannot reach the Docker daemon: docker version printed no server version"}
	}
	e = Engine{Version: v.Version, APIVersion: v.APIVersion, OS: v.Os, Kernel: v.KernelVersion}
	cv, err := d.run(ctx, nil, "compose", "version", "--short")
	if err != nil || !strings.HasPrefix(strings.TrimPrefix(strings.TrimSpace(string(cv)), "v"), "2.") {
		return e, &ToolError{Msg: "composenet verify needs Docker Compose v2 as the docker CLI plugin ('docker compose version' failed or is not 2.x; install the docker-compose-plugin, or the docker-compose binary as ~/.docker/cli-plugins/docker-compose)"}
	}
	e.Compose = strings.TrimSpace(string(cv))
	return e, nil
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// staticBinary checks that path is a statically linked ELF file, so that
// it runs in a FROM scratch image.
func staticBinary(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("the probe binary %s is not an ELF executable: %v", path, err)
	}
	defer f.Close()
	interp, err := elfInterp(f)
	if err != nil {
		return fmt.Errorf("the probe binary %s is not an ELF executable: %v", path, err)
	}
	if interp {
		return fmt.Errorf("the probe binary %s is dynamically linked and cannot run in an empty image; build composenet with CGO_ENABLED=0 (make build does)", path)
	}
	return nil
}

// elfInterp reports whether the ELF file r has a PT_INTERP program header
// (a dynamic loader). It reads the ELF header and the program headers
// only: debug/elf, which parses every section, would cost composenet its
// package initialisers (and DWARF's, zstd's) at every start (issue 15).
func elfInterp(r io.ReaderAt) (bool, error) {
	var ident [16]byte
	if _, err := r.ReadAt(ident[:], 0); err != nil {
		return false, errors.New("too short for an ELF header")
	}
	if string(ident[:4]) != "\x7fELF" {
		return false, errors.New("bad magic number")
	}
	var bo binary.ByteOrder
	switch ident[5] {
	case 1:
		bo = binary.LittleEndian
	case 2:
		bo = binary.BigEndian
	default:
		return false, fmt.Errorf("unknown ELF data encoding %d", ident[5])
	}
	const ptInterp = 3
	var phoff int64
	var phentsize, phnum int
	switch ident[4] {
	case 1: // 32-bit: e_phoff at 28, e_phentsize at 42, e_phnum at 44
		var h [52]byte
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return false, errors.New("truncated ELF header")
		}
		phoff, phentsize, phnum = int64(bo.Uint32(h[28:])), int(bo.Uint16(h[42:])), int(bo.Uint16(h[44:]))
	case 2: // 64-bit: e_phoff at 32, e_phentsize at 54, e_phnum at 56
		var h [64]byte
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return false, errors.New("truncated ELF header")
		}
		phoff, phentsize, phnum = int64(bo.Uint64(h[32:])), int(bo.Uint16(h[54:])), int(bo.Uint16(h[56:]))
	default:
		return false, fmt.Errorf("unknown ELF class %d", ident[4])
	}
	if phnum > 0 && (phentsize < 4 || phoff < 0) {
		return false, errors.New("bad program header table")
	}
	for i := range phnum {
		var typ [4]byte
		if _, err := r.ReadAt(typ[:], phoff+int64(i*phentsize)); err != nil {
			return false, errors.New("truncated program header table")
		}
		if bo.Uint32(typ[:]) == ptInterp {
			return true, nil
		}
	}
	return false, nil
}

// ensureProbeImage imports binary as a one-file FROM scratch image named
// after its content hash, unless that image exists already. Nothing is
// pulled.
func (d *docker) ensureProbeImage(ctx context.Context, binary string) (string, error) {
	if err := staticBinary(binary); err != nil {
		return "", err
	}
	data, err := os.ReadFile(binary)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	image := "composenet-probe:" + hex.EncodeToString(sum[:])[:12]
	if _, err := d.run(ctx, nil, "image", "inspect", "--format", "{{.Id}}", image); err == nil {
		return image, nil
	}
	var tarball bytes.Buffer
	tw := tar.NewWriter(&tarball)
	hdr := &tar.Header{Name: strings.TrimPrefix(ProbePath, "/"), Mode: 0o755, Size: int64(len(data)), ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return "", err
	}
	tw.Write(data)
	tw.Close()
	_, err = d.run(ctx, &tarball, "import",
		"--change", `ENTRYPOINT ["`+ProbePath+`", "probe"]`,
		"--change", "LABEL org.composenet.probe=1",
		"-", image)
	if err != nil {
		return "", fmt.Errorf("building the probe image: %v", err)
	}
	return image, nil
}

// actualContainer is one running container as docker inspect reports it.
type actualContainer struct {
	Name string
	ID   string
	// Mode is HostConfig.NetworkMode ("default", "host", "none", "bridge",
	// "container:<id>", or a network name).
	Mode    string
	Running bool
	// IPs maps the engine network name to the IPv4 address.
	IPs map[string]netip.Addr
	// Ports maps "80/tcp" to its host bindings.
	Ports map[string][]hostBinding
}

type hostBinding struct {
	HostIP   string
	HostPort uint16
}

// actualNetwork is one network as docker network inspect reports it.
type actualNetwork struct {
	Name     string
	Subnet   netip.Prefix
	Gateway  netip.Addr
	Internal bool
	Options  map[string]string
}

// containers returns the containers of compose project name, by name.
func (d *docker) containers(ctx context.Context, project string) (map[string]*actualContainer, error) {
	out, err := d.run(ctx, nil, "ps", "-a", "-q", "--no-trunc", "--filter", "label=com.docker.compose.project="+project)
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(string(out))
	res := map[string]*actualContainer{}
	if len(ids) == 0 {
		return res, nil
	}
	out, err = d.run(ctx, nil, append([]string{"inspect"}, ids...)...)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		ID         string `json:"Id"`
		Name       string
		State      struct{ Running bool }
		HostConfig struct {
			NetworkMode string
		}
		NetworkSettings struct {
			Networks map[string]struct{ IPAddress string }
			Ports    map[string][]struct {
				HostIP   string `json:"HostIp"`
				HostPort string
			}
		}
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, fmt.Errorf("docker inspect: %v", err)
	}
	for _, r := range raw {
		c := &actualContainer{Name: strings.TrimPrefix(r.Name, "/"), ID: r.ID, Mode: r.HostConfig.NetworkMode, Running: r.State.Running,
			IPs: map[string]netip.Addr{}, Ports: map[string][]hostBinding{}}
		for n, s := range r.NetworkSettings.Networks {
			if a, err := netip.ParseAddr(s.IPAddress); err == nil {
				c.IPs[n] = a
			}
		}
		for k, bs := range r.NetworkSettings.Ports {
			for _, b := range bs {
				var p int
				fmt.Sscan(b.HostPort, &p)
				c.Ports[k] = append(c.Ports[k], hostBinding{HostIP: b.HostIP, HostPort: uint16(p)})
			}
		}
		res[c.Name] = c
	}
	return res, nil
}

// networks inspects the named networks.
func (d *docker) networks(ctx context.Context, names []string) (map[string]*actualNetwork, error) {
	res := map[string]*actualNetwork{}
	if len(names) == 0 {
		return res, nil
	}
	sort.Strings(names)
	out, err := d.run(ctx, nil, append([]string{"network", "inspect"}, names...)...)
	if err != nil {
		return nil, err
	}
	var raw []struct {
		Name     string
		Internal bool
		Options  map[string]string
		IPAM     struct {
			Config []struct{ Subnet, Gateway string }
		}
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		return nil, fmt.Errorf("docker network inspect: %v", err)
	}
	for _, r := range raw {
		n := &actualNetwork{Name: r.Name, Internal: r.Internal, Options: r.Options}
		for _, c := range r.IPAM.Config {
			p, err := netip.ParsePrefix(c.Subnet)
			if err != nil || !p.Addr().Is4() {
				continue
			}
			n.Subnet = p
			if g, err := netip.ParseAddr(c.Gateway); err == nil {
				n.Gateway = g
			}
		}
		res[r.Name] = n
	}
	return res, nil
}

// exec runs the probe's task runner in container name with tasks on its
// standard input and returns the observations by task ID.
func (d *docker) exec(ctx context.Context, name string, tasks []Task) (map[int]Observation, error) {
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, t := range tasks {
		enc.Encode(t)
	}
	out, err := d.run(ctx, &in, "exec", "-i", name, ProbePath, "probe", "run")
	if err != nil {
		return nil, err
	}
	return decodeObservations(out)
}

func decodeObservations(b []byte) (map[int]Observation, error) {
	res := map[int]Observation{}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var o Observation
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return nil, fmt.Errorf("bad probe output: %v", err)
		}
		res[o.ID] = o
	}
}

// removeProject removes, by ID, the containers and then the networks that
// carry compose project label name: what `docker compose down` left
// behind (nothing, normally). It says what it removed ("" for nothing).
func (d *docker) removeProject(ctx context.Context, name string) (string, error) {
	label := "label=com.docker.compose.project=" + name
	out, err := d.run(ctx, nil, "ps", "-a", "-q", "--no-trunc", "--filter", label)
	if err != nil {
		return "", err
	}
	var said []string
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		if _, err := d.run(ctx, nil, append([]string{"rm", "-f", "-v"}, ids...)...); err != nil {
			return "", err
		}
		said = append(said, fmt.Sprintf("%d containers", len(ids)))
	}
	out, err = d.run(ctx, nil, "network", "ls", "-q", "--no-trunc", "--filter", label)
	if err != nil {
		return "", err
	}
	if ids := strings.Fields(string(out)); len(ids) > 0 {
		if _, err := d.run(ctx, nil, append([]string{"network", "rm"}, ids...)...); err != nil {
			return "", err
		}
		said = append(said, fmt.Sprintf("%d networks", len(ids)))
	}
	return strings.Join(said, ", "), nil
}
