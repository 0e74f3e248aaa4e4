package loader

import (
	"errors"
	"fmt"
	"github.com/composenet/composenet/topology"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/compose-spec/compose-go/v2/types"
)

// Proxy configuration files bind-mounted from the project (issue 17).
//
// A service that mounts an nginx or haproxy configuration file (or a
// folder of them) from inside the project folder is a gateway whose routes
// are read from those files at load time. Which targets count:
//
//	nginx:   /etc/nginx/nginx.conf, /etc/nginx (its nginx.conf and
//	         conf.d/*.conf), /etc/nginx/conf.d, /etc/nginx/http.d,
//	         /etc/nginx/sites-enabled, /etc/nginx/templates (*.template,
//	         envsubst'd by the official image; ${VAR} stays unresolved),
//	         a file under one of those folders, and openresty's
//	         /usr/local/openresty/nginx/conf/nginx.conf and conf.d
//	haproxy: /usr/local/etc/haproxy/haproxy.cfg, /etc/haproxy/haproxy.cfg,
//	         or their folders (haproxy.cfg inside)
//
// Bounds: a file is read only when it lies inside the project folder
// (after symbolic links), is a regular file of at most MaxProxyConfigBytes,
// and at most MaxProxyConfigFiles files are read per service; include
// directives are not followed; nothing is executed. A file that fails a
// bound or does not parse is a W-PROXY-CONFIG warning (routes read before
// a syntax error are kept).

// Bounds on proxy configuration files.
const (
	MaxProxyConfigBytes = 1 << 20
	MaxProxyConfigFiles = 64
)

// proxyMount is one mounted configuration source and its target.
type proxyMount struct {
	src, target string
	pos         topology.Position
}

// confKind classifies a mount target: topology.ProxyNginx, topology.ProxyHAProxy or "".
func confKind(target string) string {
	t := path.Clean(target)
	for _, d := range []string{"/etc/nginx", "/usr/local/openresty/nginx/conf"} {
		if t == d || strings.HasPrefix(t, d+"/") {
			return topology.ProxyNginx
		}
	}
	for _, d := range []string{"/usr/local/etc/haproxy", "/etc/haproxy"} {
		if t == d || strings.HasPrefix(t, d+"/") {
			return topology.ProxyHAProxy
		}
	}
	return ""
}

// nginxFileWanted says whether a file at container path t is read as nginx
// configuration (its folder decides; include files elsewhere, mime.types
// and the like, are not).
func nginxFileWanted(t string) bool {
	dir, base := path.Split(path.Clean(t))
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == "nginx.conf":
		return true
	case strings.HasSuffix(dir, "/conf.d") || strings.HasSuffix(dir, "/http.d"):
		return strings.HasSuffix(base, ".conf")
	case strings.HasSuffix(dir, "/sites-enabled"):
		return true
	case strings.HasSuffix(dir, "/templates"):
		return strings.HasSuffix(base, ".template")
	}
	return false
}

// readProxyConfig reads the proxy configuration a service mounts from the
// project into svc.ConfigKind, ConfigFiles and ConfigRoutes. It returns
// the files and folders it looked at (absolute), for the load's inputs.
func (b *builder) readProxyConfig(svc *topology.Service, s types.ServiceConfig, spath string) (read []string, folder bool) {
	switch topology.ProxyKind(svc) {
	case topology.ProxyTraefik:
		return b.readTraefikConfig(svc, s, spath)
	case "":
		if read, folder, ok := b.readCaddyfile(svc, s, spath); ok {
			return read, folder
		}
	}
	var mounts []proxyMount
	for _, m := range b.projectMounts(s, spath) {
		if confKind(m.target) != "" {
			mounts = append(mounts, m)
		}
	}
	if len(mounts) == 0 {
		return nil, false
	}
	root, err := filepath.EvalSymlinks(b.p.WorkingDir)
	if err != nil {
		root = b.p.WorkingDir
	}
	type file struct{ abs, target string }
	var files []file
	kind := ""
	for _, m := range mounts {
		k := confKind(m.target)
		if kind != "" && k != kind {
			continue
		}
		src := m.src
		if !filepath.IsAbs(src) {
			src = filepath.Join(b.p.WorkingDir, src)
		}
		real, err := filepath.EvalSymlinks(src)
		if err != nil {
			continue // not there: docker would create an empty folder
		}
		if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
			b.warn("W-PROXY-CONFIG", "", m.pos, "%s mounts %s, outside the project folder: its routes are not read", svc.Name, displayPath(b.dir, src))
			continue
		}
		st, err := os.Stat(real)
		if err != nil {
			continue
		}
		kind = k
		if !st.IsDir() {
			if k == topology.ProxyHAProxy && path.Base(m.target) != "haproxy.cfg" && !strings.HasSuffix(m.target, ".cfg") || k == topology.ProxyNginx && !nginxFileWanted(m.target) {
				continue
			}
			read = append(read, src)
			files = append(files, file{src, m.target})
			continue
		}
		folder = true
		read = append(read, src)
		var cands []string
		switch {
		case k == topology.ProxyHAProxy:
			cands = []string{"haproxy.cfg"}
		case path.Clean(m.target) == "/etc/nginx" || path.Clean(m.target) == "/usr/local/openresty/nginx/conf":
			cands = []string{"nginx.conf"}
			if ents, err := os.ReadDir(filepath.Join(real, "conf.d")); err == nil {
				for _, e := range ents {
					cands = append(cands, "conf.d/"+e.Name())
				}
			}
		default:
			if ents, err := os.ReadDir(real); err == nil {
				for _, e := range ents {
					cands = append(cands, e.Name())
				}
			}
		}
		for _, c := range cands {
			t := path.Join(m.target, c)
			if k == topology.ProxyNginx && !nginxFileWanted(t) {
				continue
			}
			files = append(files, file{filepath.Join(src, filepath.FromSlash(c)), t})
		}
	}
	if kind == "" {
		return read, folder
	}
	svc.ConfigKind = kind
	var nfiles []ncFile
	var hfiles []hpFile
	for i, f := range files {
		name := displayPath(b.dir, f.abs)
		if i >= MaxProxyConfigFiles {
			b.warn("W-PROXY-CONFIG", "", svc.Pos, "%s mounts more than %d proxy configuration files: %s and the files after it are not read", svc.Name, MaxProxyConfigFiles, name)
			break
		}
		raw, err := readBounded(f.abs, root)
		if err != nil {
			b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: %v; its routes are not read", name, err)
			continue
		}
		read = append(read, f.abs)
		svc.ConfigFiles = append(svc.ConfigFiles, name)
		switch kind {
		case topology.ProxyNginx:
			top, err := parseNginx(raw)
			if err != nil {
				if e, ok := err.(*ncError); ok {
					b.warn("W-PROXY-CONFIG", "", topology.Position{File: name, Line: e.line, Col: e.col}, "%s: %s; routes after it are not read", name, e.msg)
				}
			}
			nfiles = append(nfiles, ncFile{name: name, top: top})
		case topology.ProxyHAProxy:
			secs, err := parseHAProxy(raw)
			if err != nil {
				b.warn("W-PROXY-CONFIG", "", topology.Position{File: name}, "%s: %v; its routes are not read", name, err)
			}
			hfiles = append(hfiles, hpFile{name: name, sections: secs})
		}
	}
	switch kind {
	case topology.ProxyNginx:
		svc.ConfigRoutes = nginxRoutes(svc.Name, nfiles)
	case topology.ProxyHAProxy:
		svc.ConfigRoutes = haproxyRoutes(svc.Name, hfiles)
	}
	slices.Sort(svc.ConfigFiles)
	svc.ConfigFiles = slices.Compact(svc.ConfigFiles)
	if len(svc.ConfigFiles) == 0 {
		svc.ConfigKind = ""
	}
	return read, folder
}

// projectMounts lists the bind mounts and file-backed configs of a
// service (source as written, container target, position of the entry).
func (b *builder) projectMounts(s types.ServiceConfig, spath string) []proxyMount {
	var mounts []proxyMount
	for i, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind || v.Source == "" || v.Target == "" {
			continue
		}
		mounts = append(mounts, proxyMount{src: v.Source, target: v.Target, pos: b.ix.lookup(fmt.Sprintf("%s.volumes.%d", spath, i))})
	}
	for i, c := range s.Configs {
		cf, ok := b.p.Configs[c.Source]
		if !ok || cf.File == "" {
			continue
		}
		t := c.Target
		if t == "" {
			t = "/" + c.Source
		}
		mounts = append(mounts, proxyMount{src: cf.File, target: t, pos: b.ix.lookup(fmt.Sprintf("%s.configs.%d", spath, i))})
	}
	return mounts
}

// mountedAt maps a container path to the project file that a mount puts
// there: the mount with the longest target covering it. ok is false when
// no mount covers the path.
func (b *builder) mountedAt(mounts []proxyMount, cpath string) (host string, m proxyMount, ok bool) {
	cpath = path.Clean(cpath)
	best := -1
	for i, mt := range mounts {
		t := path.Clean(mt.target)
		if cpath == t || strings.HasPrefix(cpath, strings.TrimSuffix(t, "/")+"/") {
			if best < 0 || len(t) > len(path.Clean(mounts[best].target)) {
				best = i
			}
		}
	}
	if best < 0 {
		return "", proxyMount{}, false
	}
	m = mounts[best]
	src := m.src
	if !filepath.IsAbs(src) {
		src = filepath.Join(b.p.WorkingDir, src)
	}
	rel := strings.TrimPrefix(strings.TrimPrefix(cpath, path.Clean(m.target)), "/")
	if rel != "" {
		src = filepath.Join(src, filepath.FromSlash(rel))
	}
	return src, m, true
}

// insideProject reports whether p (after symbolic links) lies inside the
// project folder; real is the resolved path ("" when p does not exist).
func (b *builder) insideProject(p string) (real string, inside bool) {
	root, err := filepath.EvalSymlinks(b.p.WorkingDir)
	if err != nil {
		root = b.p.WorkingDir
	}
	real, err = filepath.EvalSymlinks(p)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(root, real)
	return real, err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// projectRoot is the project folder after symbolic links.
func (b *builder) projectRoot() string {
	root, err := filepath.EvalSymlinks(b.p.WorkingDir)
	if err != nil {
		return b.p.WorkingDir
	}
	return root
}

// readBounded reads a regular file inside root (after symbolic links) of
// at most MaxProxyConfigBytes.
func readBounded(p, root string) ([]byte, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, fmt.Errorf("cannot read it (%s)", errText(err))
	}
	if rel, err := filepath.Rel(root, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("a link to a file outside the project folder")
	}
	f, err := os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read it (%s)", errText(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	raw, err := io.ReadAll(io.LimitReader(f, MaxProxyConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read it (%s)", errText(err))
	}
	if len(raw) > MaxProxyConfigBytes {
		return nil, fmt.Errorf("larger than %d bytes", MaxProxyConfigBytes)
	}
	return raw, nil
}

// errText is the error without the "open PATH:" prefix.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
