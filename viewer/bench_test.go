package viewer

import (
	"bytes"
	"context"
	"testing"

	"github.com/composenet/composenet/render"
)

// BenchmarkReportSentry measures the page data of a real 57-container
// project (Sentry self-hosted, from the corpus): every journey computed
// and encoded, and the report written (the Graphviz layout excluded).
func BenchmarkReportSentry(b *testing.B) {
	top := loadB(b, "../topology/testdata/corpus/sentry-self-hosted/docker-compose.yml")
	v, _ := render.Build(top, render.Options{})
	svg, _ := Diagram(context.Background(), top, fakeLayout(v))
	b.ReportAllocs()
	var size int
	for b.Loop() {
		p, err := Build(NewModel(top), Options{Mode: "report"})
		if err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		if err := WriteReport(&out, p, svg); err != nil {
			b.Fatal(err)
		}
		size = out.Len()
	}
	b.ReportMetric(float64(size), "bytes/report")
}
