package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"breakout/session"
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

// reportCPU reports the process's CPU time per op of the benchmark loop
// that ran since start, goroutines other than the loop's included.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkLogEcho appends log messages one after another, as a room's
// appender does, to the embedded server (without fsync, so that the disk
// is not what is measured): "sole-writer" as a relay on its embedded
// server now does, with no consumer of the log; "echo" with a consumer
// that is handed every message back and skips it, as the room's consumer
// did. cpu-ns/op counts the whole process: the server's delivery and the
// client's goroutines too.
func BenchmarkLogEcho(b *testing.B) {
	for _, echo := range []bool{false, true} {
		name := "sole-writer"
		if echo {
			name = "echo"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			st, err := OpenStore(ctx, StoreConfig{Dir: b.TempDir(), NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			const id = "bench"
			lm := session.LogMessage{At: time.Now().UTC(), Entries: []session.Entry{{By: "p1",
				Op: session.Op{ID: "o1", Kind: session.KindIdeaAdd, Data: benchOpData}}}}
			data := mustJSON(lm)
			if err := st.Create(ctx, id, data); err != nil {
				b.Fatal(err)
			}
			var mu sync.Mutex
			var applied uint64 = 1
			if echo {
				stop, err := st.Consume(ctx, id, 2, func(seq uint64, _ []byte) {
					mu.Lock()
					_ = seq <= applied // the room's check before it skips
					mu.Unlock()
				}, func(error) {})
				if err != nil {
					b.Fatal(err)
				}
				defer stop()
			}
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				mu.Lock()
				last := applied
				mu.Unlock()
				seq, err := st.AppendAfter(ctx, id, data, last)
				if err != nil {
					b.Fatal(err)
				}
				mu.Lock()
				applied = seq
				mu.Unlock()
			}
			reportCPU(b, start)
		})
	}
}
