package review

import (
	"encoding/json"
	"io"
	"path/filepath"
	"sort"
)

// WriteSARIF writes findings as a SARIF 2.1.0 log with one run of the tool
// composenet at version toolVersion: one rule per code, one result per
// finding, with its file, line and column when known.
func WriteSARIF(w io.Writer, fs []Finding, toolVersion string) error {
	type msg struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string `json:"id"`
		ShortDescription msg    `json:"shortDescription"`
	}
	type region struct {
		StartLine   int `json:"startLine,omitempty"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type phys struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *region `json:"region,omitempty"`
	}
	type loc struct {
		PhysicalLocation phys `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string `json:"ruleId"`
		Level     string `json:"level"`
		Message   msg    `json:"message"`
		Locations []loc  `json:"locations,omitempty"`
	}
	levels := map[string]string{Error: "error", Warning: "warning", Info: "note"}
	seen := map[string]bool{}
	rules := []rule{}
	results := []result{}
	for _, f := range fs {
		if !seen[f.Code] {
			seen[f.Code] = true
			d := RuleDescription(f.Code)
			if d == "" {
				d = "silent misconfiguration (rule book section 11)"
			}
			rules = append(rules, rule{ID: f.Code, ShortDescription: msg{d}})
		}
		r := result{RuleID: f.Code, Level: levels[f.Severity], Message: msg{f.Message + " Fix: " + f.Fix}}
		if f.Pos.File != "" {
			var p phys
			p.ArtifactLocation.URI = filepath.ToSlash(f.Pos.File)
			if f.Pos.Line > 0 {
				p.Region = &region{StartLine: f.Pos.Line, StartColumn: f.Pos.Col}
			}
			r.Locations = []loc{{p}}
		}
		results = append(results, r)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "composenet", "version": toolVersion,
				"informationUri": "https://github.com/composenet/composenet",
				"rules":          rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
