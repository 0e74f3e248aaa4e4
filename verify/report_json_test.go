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
