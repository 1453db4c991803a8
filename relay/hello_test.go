package relay

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"breakout/session"
)

// A third-party client that leaves out the name is told which field of
// the hello to send, not a flag of breakout's own command line.
func TestHelloWithoutNameSaysWhatToSend(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	for _, name := range []string{"", "   "} {
		ws := rawDial(t, tr.url)
		ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: codes.code(t, "Manzoni", session.Participant), Name: name})
		werr, _ := expectClosed(t, ws)
		if werr == nil || werr.Code != session.ErrCodeNameNeeded || !strings.Contains(werr.Message, `"name"`) || strings.Contains(werr.Message, "--name") {
			t.Errorf("hello with name %q: error %+v; want name_needed, saying to send \"name\" in the hello", name, werr)
		}
	}
}

// The welcome of a session without broadcasts carries "broadcasts": [],
// not null, on the wire.
func TestWelcomeSnapshotHasNoNullLists(t *testing.T) {
	tr := startRelay(t, "", Config{})
	codes := tr.create(testPlan)
	ws := rawDial(t, tr.url)
	if err := ws.WriteJSON(session.Hello{Type: session.MsgHello, Code: codes.code(t, "Manzoni", session.Participant), Name: "Ada"}); err != nil {
		t.Fatal(err)
	}
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, raw, err := ws.ReadMessage()
	if err != nil {
		t.Fatalf("read welcome: %v", err)
	}
	var w struct {
		Snapshot map[string]json.RawMessage `json:"snapshot"`
	}
	if err := json.Unmarshal(raw, &w); err != nil || w.Snapshot == nil {
		t.Fatalf("welcome %s: %v; want a snapshot", raw, err)
	}
	for _, k := range []string{"broadcasts", "groups", "questions", "people", "ideas", "texts"} {
		if v := string(w.Snapshot[k]); v == "" || v == "null" {
			t.Errorf("welcome snapshot %s = %q; want a list or an object", k, v)
		}
	}
}
