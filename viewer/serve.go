package viewer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Listen opens a TCP listener on addr (HOST:PORT; port 0 picks a free
// port). It returns the listener, the address as asked for with the port
// the system chose (listening on 0.0.0.0 reports [::] on a dual-stack
// host, which the page should not show), and whether the address is
// public: neither "localhost" nor a loopback IP.
func Listen(addr string) (ln net.Listener, listen string, public bool, err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", false, fmt.Errorf("--addr %q: want HOST:PORT", addr)
	}
	ip := net.ParseIP(host)
	public = host != "localhost" && (ip == nil || !ip.IsLoopback())
	if ln, err = net.Listen("tcp", addr); err != nil {
		return nil, "", false, err
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return ln, net.JoinHostPort(host, port), public, nil
}

// Serve serves s (its Handler behind HTTPServer's timeouts) on ln and
// watches the project's files, until ctx is done; then it shuts down,
// giving open requests 2 s. A stop through ctx returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := HTTPServer(s.Handler())
	go s.Watch(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		err = <-done
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
