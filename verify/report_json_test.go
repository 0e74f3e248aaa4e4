package verify

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// The JSON report carries the schema's fields and leaves the text-only
// ones (the modelled engine, the rewrite's notes) out.
func TestWriteJSON(t *testing.T) {
	r := &Report{Project: "shop-verify", Model: "28", Notes: []string{"container_name x becomes x-verify"},
		Summary: Summary{Total: 3, Agree: 2, Disagree: 1}}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "{\n  \"engine\": {") || !strings.HasSuffix(out, "}\n") || strings.Contains(out, "becomes") || strings.Contains(out, "\"model\"") {
		t.Errorf("JSON:\n%s", out)
	}
	var back struct {
		Project string
		Summary Summary
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Project != "shop-verify" || back.Summary != r.Summary {
		t.Errorf("round trip %+v %v", back, err)
	}
}

// Several projects: the JSON report lists them in up order ("projects"),
// the text header names them; one project's report has no "projects".
func TestReportProjects(t *testing.T) {
	r := &Report{Project: "app-verify", Projects: []string{"proxy-verify", "admin-verify", "app-verify"}, Model: "20.10.24"}
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back struct{ Projects []string }
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || strings.Join(back.Projects, " ") != "proxy-verify admin-verify app-verify" {
		t.Errorf("projects %v %v:\n%s", back.Projects, err, b.String())
	}
	b.Reset()
	if err := WriteText(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), "verify projects proxy-verify, admin-verify, app-verify (in up order) on Docker Engine") {
		t.Errorf("text:\n%s", b.String())
	}
	b.Reset()
	r.Projects = nil
	WriteJSON(&b, r)
	if strings.Contains(b.String(), "projects") {
		t.Errorf("one project's JSON names projects:\n%s", b.String())
	}
}
