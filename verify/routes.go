package verify

import "fmt"

// routeQueries ask the layer-4 half of every reverse-proxy route
// (issue 17): from the proxy's container, a TCP connect to the backend on
// the route's port, where the proxy would connect. A label or environment
// route (traefik, caddy-docker-proxy, nginx-proxy) goes to the backend's
// address on the network the route names or the proxy shares with it
// (sim.RouteHop); a route of a mounted nginx or haproxy file asks for its
// upstream name through the proxy's own DNS. TCP and UDP routers (layer 4
// already) are asked over their own transport. The prediction is Reach's, as
// for any other connect, and the backend's probe serves the route's port
// (newPlan adds it). The layer-7 half — host rules, paths, TLS,
// middlewares, which router wins — is read from configuration and not
// probed: the proxy itself does not run.
func (w *world) routeQueries() []*query {
	var qs []*query
	for _, pr := range w.routes {
		r := pr.Route
		q := &query{}
		what := fmt.Sprintf("%s (route %s of %s, %s)", r.Backend, pr.Orig.Target(), r.Proxy, pr.Orig.Position)
		proto := routeProto(r)
		q.QueryResult = QueryResult{Kind: KindConnect, From: r.Proxy, To: what, Port: r.Port, Protocol: proto, Predicted: "-", Rules: []string{}}
		switch {
		case r.Unresolved != "":
			q.skip = "the route's backend is not known statically: " + r.Unresolved
		case r.Port == 0:
			q.skip = "the route's configuration names no backend port (the proxy would use the port the image exposes, which composenet does not read)"
		}
		if q.skip != "" {
			qs = append(qs, q)
			continue
		}
		h := w.s.RouteHop(r)
		p := w.t.Service(r.Proxy)
		if !h.Evaluated || p == nil || len(p.Containers) == 0 {
			q.skip = "the route's proxy or backend has no container in the model"
			qs = append(qs, q)
			continue
		}
		pc := p.Containers[0]
		q.From = pc.Name
		if a := w.ctr[pc.Name]; a == nil || !a.Running {
			q.skip = pc.Name + " is not running"
			qs = append(qs, q)
			continue
		}
		q.runner = nsOwner(pc)
		if q.runner == "host" {
			q.runner = pc.Name
		}
		if r.Upstream != "" {
			// The proxy resolves the upstream name itself.
			q.To = fmt.Sprintf("%s (upstream of route %s of %s, %s)", r.Upstream, pr.Orig.Target(), r.Proxy, pr.Orig.Position)
			q.task = Task{Kind: "connect", Name: r.Upstream, Port: r.Port, Protocol: proto}
		} else {
			ip, ok := w.actualIP(h.Endpoint.Container, h.Endpoint.Network)
			if !ok {
				q.skip = h.Endpoint.Container.Name + " has no address on " + h.Endpoint.Network.Name + " on the engine"
				qs = append(qs, q)
				continue
			}
			q.To = fmt.Sprintf("%s (%s on %s; route %s of %s, %s)", ip, h.Endpoint.Container.Name, h.Endpoint.Network.Name, pr.Orig.Target(), r.Proxy, pr.Orig.Position)
			q.task = Task{Kind: "connect", Addr: ip.String(), Port: r.Port, Protocol: proto}
		}
		w.predictReach(q, h.Result)
		if h.NetworkMissing {
			q.Predicted += " (the route names network " + pr.Orig.Network + ", which " + r.Backend + " does not join: the proxy falls back to its first network)"
		}
		qs = append(qs, q)
	}
	return qs
}
