package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// tinySizes run every scenario in a few seconds; the figures mean nothing,
// the test is that every scenario runs end to end on a real relay and
// the hub and reports every figure it promises.
var tinySizes = sizes{
	echoTrials: 50, fsyncs: 20, settle: 100 * time.Millisecond,
	roomClients: 5, roomRate: 50, roomFor: 300 * time.Millisecond,
	confGroups: 2, confClients: 4, confEvery: 200 * time.Millisecond, confFor: 600 * time.Millisecond,
	tpStart: 100, tpFactor: 2, tpMax: 200, tpStep: 300 * time.Millisecond,
	slowFor: 300 * time.Millisecond, slowStall: 2 * time.Second, slowResume: 300 * time.Millisecond,
	slowQueue: 8 << 10, slowText: 900,
	idleConns: 50, idleHold: 100 * time.Millisecond, idleSettle: 100 * time.Millisecond,
	entries: 200, welcomeTrials: 2, catchGroups: 2, catchFillers: 2,
}

func TestRunEveryScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("starts relays")
	}
	sz := tinySizes
	rep, err := Run(context.Background(), Options{InProcess: true, Dir: t.TempDir(), sizes: &sz})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := map[string][]string{
		"floor":         {"echo_p50_us", "echo_p99_us", "fsync_p50_us", "fsync_max_us"},
		"room":          {"relay_p50_us", "relay_p99_us", "hub_p50_us", "hub_p99_us"},
		"conference":    {"clients", "sent", "delivered", "gaps", "p50_ms", "p99_ms", "relay_cpu_pct"},
		"throughput":    {"durable_ops_per_s", "hub_ops_per_s", "fsync_per_s", "nosync_ops_per_s", "slow_appends"},
		"slow-consumer": {"p99_ms_unstalled", "p99_ms_stalled", "rss_growth_mb", "cut_off", "resumed_gaps"},
		"idle":          {"connections", "relay_kb_per_conn", "hub_kb_per_conn"},
		"catch-up":      {"entries", "welcome_ms", "restart_ms"},
	}
	// Those run only on request (ssh runs the binary) are not in a
	// default run.
	byDefault := slices.DeleteFunc(slices.Clone(Scenarios), func(s string) bool { return slices.Contains(onRequest, s) })
	if len(rep.Scenarios) != len(byDefault) {
		t.Fatalf("Run reported %d scenarios; want %d", len(rep.Scenarios), len(byDefault))
	}
	for _, r := range rep.Scenarios {
		for _, k := range want[r.Name] {
			if r.Figures.Get(k) == nil {
				t.Errorf("%s: no figure %q in %v", r.Name, k, r.Figures)
			}
		}
		if r.Name == "conference" {
			if g := r.Figures.Get("gaps"); g != 0 {
				t.Errorf("conference gaps = %v; want 0", g)
			}
		}
	}

	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatalf("WriteJSON: %v", err)
	}
	var back struct {
		Scenarios []struct {
			Name    string         `json:"name"`
			Figures map[string]any `json:"figures"`
		} `json:"scenarios"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatalf("the JSON does not decode: %v\n%s", err, js.String())
	}
	if len(back.Scenarios) != len(byDefault) || back.Scenarios[1].Figures["relay_p50_us"] == nil {
		t.Errorf("JSON = %s; want every scenario with its figures", js.String())
	}
	var txt bytes.Buffer
	rep.WriteText(&txt)
	t.Log("\n" + txt.String())
	for _, s := range byDefault {
		if !strings.Contains(txt.String(), "\n"+s+" — ") {
			t.Errorf("text output has no %s section:\n%s", s, txt.String())
		}
	}
}

func TestRunRefusesUnknownScenario(t *testing.T) {
	_, err := Run(context.Background(), Options{InProcess: true, Scenarios: []string{"rooom"}})
	if err == nil || !strings.Contains(err.Error(), "rooom") {
		t.Errorf("Run(rooom) = %v; want an error naming the scenario", err)
	}
}

// The ssh scenario runs the relay binary; in process it says so, in one
// line, rather than measuring the test binary.
func TestSSHScenarioNeedsTheBinary(t *testing.T) {
	_, err := Run(context.Background(), Options{InProcess: true, Dir: t.TempDir(), Scenarios: []string{"ssh"}})
	if err == nil || !strings.Contains(err.Error(), "breakout binary") {
		t.Fatalf("Run(ssh, in process) = %v; want an error saying it needs the binary", err)
	}
}
