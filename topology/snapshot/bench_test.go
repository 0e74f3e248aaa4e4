package snapshot

import (
	"bytes"
	"context"
	"encoding/gob"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/composenet/composenet/topology/loader"

	"github.com/composenet/composenet/internal/gen"
	"github.com/composenet/composenet/topology"
)

// genProject writes the generated project of n services (n/10 networks,
// seed 1) with a modification time in the past.
func genProject(b *testing.B, n int) topology.Options {
	data, err := gen.Generate(gen.Config{Services: n, Networks: max(n/10, 1), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	f := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		b.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(f, old, old)
	return topology.Options{Files: []string{f}, Dir: dir, Env: []string{}}
}

// BenchmarkCache measures, on a generated 2000-service project, a load
// without the cache (cold), a load that misses and stores a snapshot
// (store), and one served from the snapshot (warm).
func BenchmarkCache(b *testing.B) {
	opts := genProject(b, 2000)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := Load(context.Background(), opts, Config{Load: loader.Load, Disabled: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("store", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			dir := b.TempDir()
			b.StartTimer()
			if _, st, err := Load(context.Background(), opts, Config{Load: loader.Load, Dir: dir, Version: "bench"}); err != nil || st.FromCache {
				b.Fatal(err, st.FromCache)
			}
		}
	})
	b.Run("warm", func(b *testing.B) {
		cfg := Config{Load: loader.Load, Dir: b.TempDir(), Version: "bench"}
		Load(context.Background(), opts, cfg)
		for b.Loop() {
			if _, st, err := Load(context.Background(), opts, cfg); err != nil || !st.FromCache {
				b.Fatal(err, st.FromCache)
			}
		}
	})
}

// BenchmarkWarmEcommerce is the cache's part of a warm `reach` on the
// e-commerce example: the key, the hash of every input and the decode.
func BenchmarkWarmEcommerce(b *testing.B) {
	dir, err := filepath.Abs("../../examples/ecommerce")
	if err != nil {
		b.Fatal(err)
	}
	opts := topology.Options{Dir: dir, Env: []string{}}
	cfg := Config{Load: loader.Load, Dir: b.TempDir(), Version: "bench"}
	if _, _, err := Load(context.Background(), opts, cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, st, err := Load(context.Background(), opts, cfg); err != nil || !st.FromCache {
			b.Fatal(err, st)
		}
	}
}

// BenchmarkCodec measures encoding and decoding the 2000-service
// topology's wire form, the part of a snapshot that grows with the
// project (and what a composenet-load helper run hands back).
func BenchmarkCodec(b *testing.B) {
	t, err := loader.Load(context.Background(), genProject(b, 2000))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, t); err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w bytes.Buffer
			if err := Encode(&w, t); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(buf.Len()), "bytes")
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(bytes.NewReader(buf.Bytes())); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same wire form through encoding/gob, which the snapshot used
	// before package wire: the comparison for docs/benchmarks.md.
	b.Run("gob-encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w bytes.Buffer
			if err := gob.NewEncoder(&w).Encode(toWire(t)); err != nil {
				b.Fatal(err)
			}
		}
	})
	var gb bytes.Buffer
	if err := gob.NewEncoder(&gb).Encode(toWire(t)); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(gb.Len()), "gob-bytes")
	b.Run("gob-decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var w wireTopology
			if err := gob.NewDecoder(bytes.NewReader(gb.Bytes())).Decode(&w); err != nil {
				b.Fatal(err)
			}
			if _, err := fromWire(&w); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("load", func(b *testing.B) {
		opts := genProject(b, 2000)
		for b.Loop() {
			if _, err := loader.Load(context.Background(), opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
