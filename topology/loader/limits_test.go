package loader

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/composenet/composenet/topology"
)

// billionLaughs is a 1 KB YAML alias bomb: 9^9 scalars once expanded.
func billionLaughs(firstKey string) string {
	var b strings.Builder
	b.WriteString(firstKey + ` &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for c := 'b'; c <= 'i'; c++ {
		p := string(c - 1)
		fmt.Fprintf(&b, "x-%c: &%c [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n", c, c, p, p, p, p, p, p, p, p, p)
	}
	return b.String()
}

// TestInputLimits: hostile inputs end in a positioned refusal, never a
// hang or an out-of-memory crash (issue 10).
func TestInputLimits(t *testing.T) {
	devZero := "/dev/zero"
	if _, err := os.Stat(devZero); err != nil {
		devZero = ""
	}
	const svc = "services:\n  a:\n    image: x\n"
	doubling := func() string {
		var b strings.Builder
		b.WriteString("V0=0123456789abcdef\n")
		for i := 1; i <= 40; i++ {
			fmt.Fprintf(&b, "V%d=${V%d}${V%d}\n", i, i-1, i-1)
		}
		return b.String()
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) topology.Options // writes files into dir
		want  string
		dev   bool // needs /dev/zero
	}{
		{
			name: "alias bomb in a compose file: position of the first alias",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", billionLaughs("x-a:")+svc)
				return topology.Options{}
			},
			want: "compose.yaml:2:10: YAML aliases (the first one here) expand to more than 100000 nodes",
		},
		{
			name: "alias bomb in a --host file",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc)
				write(t, dir, "host.yaml", "daemon: {icc: true}\n"+billionLaughs("x-a:"))
				return topology.Options{HostFile: "host.yaml"}
			},
			want: "host.yaml:3:10: YAML aliases (the first one here) expand to more than 100000 nodes",
		},
		{
			name: "alias bomb in an included file",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", "include: [inc.yaml]\n"+svc)
				write(t, dir, "inc.yaml", billionLaughs("x-a:")+"services:\n  b: {image: y}\n")
				return topology.Options{}
			},
			want: "inc.yaml:2:10: YAML aliases (the first one here) expand to more than 100000 nodes",
		},
		{
			name: "a FIFO given with -f is refused without blocking",
			setup: func(t *testing.T, dir string) topology.Options {
				mkfifo(t, filepath.Join(dir, "p.yaml"))
				return topology.Options{Files: []string{"p.yaml"}}
			},
			want: "p.yaml: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "a FIFO as .env",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc)
				mkfifo(t, filepath.Join(dir, ".env"))
				return topology.Options{}
			},
			want: ".env: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "a FIFO as --env-file",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc)
				mkfifo(t, filepath.Join(dir, "e.env"))
				return topology.Options{EnvFiles: []string{filepath.Join(dir, "e.env")}}
			},
			want: "e.env: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "a FIFO as env_file",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc+"    env_file: e.env\n")
				mkfifo(t, filepath.Join(dir, "e.env"))
				return topology.Options{}
			},
			want: "e.env: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "a FIFO as label_file",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc+"    label_file: l.txt\n")
				mkfifo(t, filepath.Join(dir, "l.txt"))
				return topology.Options{}
			},
			want: "l.txt: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "an included project's .env doubling",
			setup: func(t *testing.T, dir string) topology.Options {
				if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
					t.Fatal(err)
				}
				write(t, dir, "compose.yaml", "include: [sub/inc.yaml]\n"+svc)
				write(t, dir, "sub/inc.yaml", "services:\n  b: {image: y}\n")
				write(t, dir, "sub/.env", doubling())
				return topology.Options{}
			},
			want: "sub/.env:18:1: V17: expands to about 2097152 bytes",
		},
		{
			name: "an interpolated include path is checked too",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", "include: [\"${INC:-p.yaml}\"]\n"+svc)
				mkfifo(t, filepath.Join(dir, "p.yaml"))
				return topology.Options{}
			},
			want: "p.yaml: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "an interpolated env_file path is checked too",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc+"    env_file: ${E}\n")
				mkfifo(t, filepath.Join(dir, "e.env"))
				return topology.Options{Env: []string{"E=e.env"}}
			},
			want: "e.env: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "a FIFO as an include",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", "include: [p.yaml]\n"+svc)
				mkfifo(t, filepath.Join(dir, "p.yaml"))
				return topology.Options{}
			},
			want: "p.yaml: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "a FIFO as --host",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc)
				mkfifo(t, filepath.Join(dir, "h.yaml"))
				return topology.Options{HostFile: "h.yaml"}
			},
			want: "h.yaml: cannot read host description: is a named pipe (FIFO); composenet reads only regular files",
		},
		{
			name: "-f /dev/zero", dev: true,
			setup: func(t *testing.T, dir string) topology.Options { return topology.Options{Files: []string{devZero}} },
			want:  "/dev/zero: is a character device; composenet reads only regular files",
		},
		{
			name: "include: [/dev/zero]", dev: true,
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", "include: [/dev/zero]\n"+svc)
				return topology.Options{}
			},
			want: "/dev/zero: is a character device; composenet reads only regular files",
		},
		{
			name: "env_file: /dev/zero", dev: true,
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc+"    env_file: [{path: /dev/zero, required: false}]\n")
				return topology.Options{}
			},
			want: "/dev/zero: is a character device; composenet reads only regular files",
		},
		{
			name: "--host /dev/zero", dev: true,
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc)
				return topology.Options{HostFile: devZero}
			},
			want: "/dev/zero: cannot read host description: is a character device; composenet reads only regular files",
		},
		{
			name: "a compose file over 32 MiB (sparse, never read)",
			setup: func(t *testing.T, dir string) topology.Options {
				sparse(t, filepath.Join(dir, "compose.yaml"), 50<<20)
				return topology.Options{}
			},
			want: "compose.yaml: is 52428800 bytes; composenet reads input files of at most 32 MiB (33554432 bytes)",
		},
		{
			name: "an included file over 32 MiB",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", "include: [big.yaml]\n"+svc)
				sparse(t, filepath.Join(dir, "big.yaml"), 33<<20)
				return topology.Options{}
			},
			want: "big.yaml: is 34603008 bytes; composenet reads input files of at most 32 MiB (33554432 bytes)",
		},
		{
			name: ".env variable doubling: refused at the first variable past 1 MiB",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc)
				write(t, dir, ".env", doubling())
				return topology.Options{}
			},
			// V16 is 16 x 2^16 = 1 MiB exactly; V17 is the first past it,
			// and nothing built on it is reported again.
			want: ".env:18:1: V17: expands to about 2097152 bytes; composenet accepts variables of at most 1 MiB (1048576 bytes) after interpolation",
		},
		{
			name: "env_file variable doubling",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc+"    env_file: [vars.env]\n")
				write(t, dir, "vars.env", doubling())
				return topology.Options{}
			},
			want: "vars.env:18:1: V17: expands to about 2097152 bytes",
		},
		{
			name: "a compose file that interpolation grows past 32 MiB",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", svc+"    environment:\n"+strings.Repeat("      - X=${BIG}${BIG}${BIG}${BIG}\n", 10))
				return topology.Options{Env: []string{"BIG=" + strings.Repeat("x", 1<<20)}}
			},
			want: "compose.yaml: grows to about 41943",
		},
		{
			name: "a 10 MB service name",
			setup: func(t *testing.T, dir string) topology.Options {
				write(t, dir, "compose.yaml", "services:\n  "+strings.Repeat("a", 10<<20)+":\n    image: x\n")
				return topology.Options{}
			},
			want: "compose.yaml:2:3: a mapping key of 10485760 bytes; composenet accepts keys of at most 1024 bytes",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.dev && devZero == "" {
				t.Skip("no /dev/zero")
			}
			dir := t.TempDir()
			opts := tc.setup(t, dir)
			opts.Dir = dir
			if opts.Env == nil {
				opts.Env = []string{}
			}
			_, err := Load(context.Background(), opts)
			if err == nil {
				t.Fatal("loaded")
			}
			got := err.Error()
			if !strings.Contains(got, tc.want) {
				t.Fatalf("got\n%s\nwant it to contain\n%s", got, tc.want)
			}
			if len(got) > 2000 {
				t.Errorf("message of %d bytes", len(got))
			}
		})
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// sparse makes a file of size bytes without writing them.
func sparse(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

// TestStdinBounded: `-f -` reads at most 32 MiB of standard input, and
// a small compose file on standard input still loads.
func TestStdinBounded(t *testing.T) {
	dir := t.TempDir()
	old := os.Stdin
	defer func() { os.Stdin = old }()
	for _, tc := range []struct {
		name, want string
		make       func(path string)
	}{
		{"over the cap", "-: is more than 33554432 bytes; composenet reads input files of at most 32 MiB (33554432 bytes)",
			func(p string) { sparse(t, p, 33<<20+1) }},
		{"a small file", "",
			func(p string) { write(t, filepath.Dir(p), filepath.Base(p), "services:\n  a: {image: x}\n") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			tc.make(p)
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			os.Stdin = f
			topo, err := Load(context.Background(), topology.Options{Dir: dir, Files: []string{"-"}, ProjectName: "p", Env: []string{}})
			if tc.want == "" {
				if err != nil || topo.Container("p-a-1") == nil {
					t.Fatalf("got %v", err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}
