package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
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

// readPubAck reads what the jetstream library reads of an answer to a
// publish: a plain acknowledgement without reflection, and any other
// answer, errors too, as the library does.
func TestReadPubAck(t *testing.T) {
	for _, c := range []struct {
		ack     string
		seq     uint64
		errCode jetstream.ErrorCode // 0: no API error
		invalid bool
	}{
		{ack: `{"stream":"BREAKOUT","seq":42}`, seq: 42},
		{ack: `{"stream":"BREAKOUT","seq":18446744073709551615}`, seq: 18446744073709551615},
		{ack: `{"stream":"BREAKOUT","seq":7,"duplicate":true}`, seq: 7},
		{ack: `{"stream":"BREAKOUT", "domain":"hub","seq":8}`, seq: 8},
		{ack: `{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 41"},"stream":"BREAKOUT","seq":0}`,
			errCode: jetstream.JSErrCodeStreamWrongLastSequence},
		{ack: `{"error":{"code":503,"err_code":10077,"description":"resource limits exceeded"}}`, errCode: 10077},
		{ack: `{"seq":3}`, invalid: true},
		{ack: `not json`, invalid: true},
		{ack: `{"stream":"BREAKOUT","seq":12`, invalid: true},
	} {
		seq, err := readPubAck([]byte(c.ack))
		var apiErr *jetstream.APIError
		switch {
		case c.errCode != 0:
			if !errors.As(err, &apiErr) || apiErr.ErrorCode != c.errCode {
				t.Errorf("readPubAck(%s) = %d, %v; want API error %d", c.ack, seq, err, c.errCode)
			}
		case c.invalid:
			if !errors.Is(err, jetstream.ErrInvalidJSAck) {
				t.Errorf("readPubAck(%s) = %d, %v; want %v", c.ack, seq, err, jetstream.ErrInvalidJSAck)
			}
		case err != nil || seq != c.seq:
			t.Errorf("readPubAck(%s) = %d, %v; want %d", c.ack, seq, err, c.seq)
		}
	}
}

// BenchmarkReadPubAck reads an acknowledgement as the appender now does,
// and as the jetstream library does (by encoding/json).
func BenchmarkReadPubAck(b *testing.B) {
	ack := []byte(`{"stream":"BREAKOUT","seq":4711}`)
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := readPubAck(ack); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r struct {
				Error *jetstream.APIError `json:"error"`
				*jetstream.PubAck
			}
			if err := json.Unmarshal(ack, &r); err != nil || r.PubAck == nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAppendAfter appends log messages one after another to the
// embedded server (without fsync) with the expected last sequence: by
// publishAfter, as the appender does, and by the jetstream library's
// Publish with its option, as it did.
func BenchmarkAppendAfter(b *testing.B) {
	for _, lib := range []bool{false, true} {
		name := "plain"
		if lib {
			name = "library"
		}
		b.Run(name, func(b *testing.B) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			st, err := OpenStore(ctx, StoreConfig{Dir: b.TempDir(), NoSync: true})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			const id = "bench"
			data := mustJSON(session.LogMessage{At: time.Now().UTC(), Entries: []session.Entry{{By: "p1",
				Op: session.Op{ID: "o1", Kind: session.KindIdeaAdd, Data: benchOpData}}}})
			if err := st.Create(ctx, id, data); err != nil {
				b.Fatal(err)
			}
			last := uint64(1)
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				if lib {
					last, err = st.publish(ctx, id, data, jetstream.WithExpectLastSequencePerSubject(last))
				} else {
					last, err = st.publishAfter(ctx, id, data, last)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
		})
	}
}
