package relay

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// An op's data must reach the log exactly as encoding/json writes it:
// canonicalJSON may let data through unencoded only when encoding it
// would not change a byte, and must catch every case where it would.
func TestCanonicalJSONAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		`{"question":"q1","text":"a shared idea, with spaces"}`,
		`{"text":"tab\tescaped"}`,
		`{"text":"a \"quoted\" word and a \\ backslash"}`,
		`{"text":"a \\"}`,
		`{ "text":"space after the brace"}`,
		`{"text":"x"} `,
		"{\"text\":\"x\"}\n",
		`{"text":"<b>"}`,
		`{"text":"fish & chips"}`,
		"{\"text\":\"line\u2028separator\"}",
		"{\"text\":\"para\u2029separator\"}",
		"{\"text\":\"an em dash \u2014 is fine\"}",
		`{"a":[1, 2]}`,
		`{"a":[1,2],"b":{"c":null,"d":true}}`,
		`"just a string with spaces"`,
	}
	for _, c := range cases {
		check(t, []byte(c))
	}
	rapid.Check(t, func(rt *rapid.T) {
		v := map[string]any{
			"question": rapid.StringMatching(`q[0-9]`).Draw(rt, "q"),
			"text":     rapid.String().Draw(rt, "text"),
			"n":        rapid.IntRange(-5, 5).Draw(rt, "n"),
		}
		compact, _ := json.Marshal(v)
		indented, _ := json.MarshalIndent(v, "", " ")
		var noEscape bytes.Buffer
		enc := json.NewEncoder(&noEscape)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		for _, d := range [][]byte{compact, indented, bytes.TrimSpace(noEscape.Bytes()), noEscape.Bytes()} {
			if ok, want := canonicalJSON(d), bytes.Equal(mustJSON(json.RawMessage(d)), d); ok != want {
				rt.Fatalf("canonicalJSON(%q) = %v; encoding/json leaves it unchanged: %v", d, ok, want)
			}
		}
	})
}

func check(t *testing.T, d []byte) {
	t.Helper()
	if !json.Valid(d) {
		t.Fatalf("test case %q is not JSON", d)
	}
	if ok, want := canonicalJSON(d), bytes.Equal(mustJSON(json.RawMessage(d)), d); ok != want {
		t.Errorf("canonicalJSON(%q) = %v; encoding/json leaves it unchanged: %v", d, ok, want)
	}
}

var benchOpData = []byte(`{"question":"q1","text":"#b12345# a shared idea board per question, with votes and a short summary at the end; "}`)

// The check each op's data goes through before it is queued for the log.
func BenchmarkOpDataCheck(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := benchOpData
		if !canonicalJSON(d) {
			d = mustJSON(json.RawMessage(d))
		}
		_ = d
	}
}

// The check as it was: any space sent the data through encoding/json.
func BenchmarkOpDataCheckAnySpace(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := benchOpData
		if bytes.ContainsAny(d, "<>&\u2028\u2029 \t\r\n") {
			d = mustJSON(json.RawMessage(d))
		}
		_ = d
	}
}
