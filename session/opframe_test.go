package session

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"pgregory.net/rapid"
)

// decodeOpFrame may read a frame only as encoding/json reads it, and
// must read the frames clients send.
func TestDecodeOpFrameAgreesWithEncodingJSON(t *testing.T) {
	for _, f := range []string{
		`{"type":"op","id":"o1","kind":"idea.add","data":{"question":"q1","text":"Trains, and more"}}`,
		`{"data":{"a":[1,{"b":"}"}]},"kind":"x","id":"o2","type":"op"}`,
		` { "type" : "op" , "id":"o3", "kind":"group.lock" } `,
	} {
		if _, ok := decodeOpFrame([]byte(f)); !ok {
			t.Errorf("decodeOpFrame(%s) left it to encoding/json", f)
		}
		agree(t, []byte(f))
	}
	ws := rapid.SampledFrom([]string{"", "", " ", "\n\t", "\r"})
	str := rapid.OneOf(rapid.StringMatching(`[a-z0-9.]{0,6}`), rapid.String(), rapid.StringMatching(`[a-z"\\\x00\n{}\[\]]{0,4}`))
	value := func(rt *rapid.T, key string) string {
		switch rapid.IntRange(0, 7).Draw(rt, key+" form") {
		case 0:
			return "null"
		case 1:
			return "12"
		case 2:
			b, _ := json.Marshal(map[string]any{str.Draw(rt, "k"): str.Draw(rt, "v"), "n": []any{1, true, nil, map[string]any{}}})
			return string(b)
		case 3:
			b, _ := json.MarshalIndent(map[string]any{"t": str.Draw(rt, "v")}, "", "  ")
			return string(b)
		case 4:
			return `{"a":[}` // not JSON
		case 5:
			return `[1]`
		}
		if key == "type" && rapid.Bool().Draw(rt, "op") {
			return `"op"`
		}
		b, _ := json.Marshal(str.Draw(rt, key))
		return string(b)
	}
	rapid.Check(t, func(rt *rapid.T) {
		keys := rapid.SliceOfN(rapid.SampledFrom([]string{"type", "type", "id", "kind", "data", "data", "Type", "ID", "x", `t\u0079pe`}), 0, 6).Draw(rt, "keys")
		var b strings.Builder
		b.WriteString(ws.Draw(rt, "ws") + "{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(ws.Draw(rt, "ws") + "," + ws.Draw(rt, "ws"))
			}
			v := value(rt, k)
			if k == "data" && rapid.IntRange(0, 2).Draw(rt, "object data") > 0 {
				v = value(rt, "data")
				if !strings.HasPrefix(v, "{") {
					v = `{"text":` + v + `}`
				}
			}
			b.WriteString(`"` + k + `"` + ws.Draw(rt, "ws") + ":" + ws.Draw(rt, "ws") + v)
		}
		b.WriteString("}" + rapid.SampledFrom([]string{"", " ", "\n", "x", "{}", "}"}).Draw(rt, "tail"))
		frame := []byte(b.String())
		if cut := rapid.IntRange(0, 9).Draw(rt, "cut"); cut == 0 && len(frame) > 0 {
			frame = frame[:rapid.IntRange(0, len(frame)-1).Draw(rt, "at")]
		}
		if !utf8.Valid(frame) || checkNesting(frame, MaxNesting) != nil {
			return // DecodeClient refuses these before either decoder
		}
		agree(rt, frame)
	})
}

func agree(t interface{ Fatalf(string, ...any) }, frame []byte) {
	fast, ok := decodeOpFrame(frame)
	if !ok {
		return
	}
	slow, err := decodeClientJSON(frame)
	if err != nil {
		t.Fatalf("decodeOpFrame(%q) = %+v; encoding/json: %v", frame, fast, err)
	}
	op, isOp := slow.(*OpMsg)
	if !isOp || op.Type != fast.Type || op.ID != fast.ID || op.Kind != fast.Kind || !bytes.Equal(op.Data, fast.Data) ||
		(op.Data == nil) != (fast.Data == nil) {
		t.Fatalf("decodeOpFrame(%q) = %+v; encoding/json: %+v", frame, fast, slow)
	}
}

// BenchmarkDecodeOp decodes the op frame of an idea, as the relay's
// readers do for every op: by decodeOpFrame, and by encoding/json.
func BenchmarkDecodeOp(b *testing.B) {
	frame := []byte(`{"type":"op","id":"p12-1733133600000-42","kind":"idea.add","data":{"question":"q1","text":"#b12345# a shared idea board per question, with votes and a short summary at the end"}}`)
	b.Run("plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeClient(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !utf8.Valid(frame) || checkNesting(frame, MaxNesting) != nil {
				b.Fatal("bad frame")
			}
			if _, err := decodeClientJSON(frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}
