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
	echoTrials: 50, fsyncs: 20, settle: 100 * time.Millisecond, rounds: 2,
	roomClients: 5, roomRate: 50, roomFor: 300 * time.Millisecond,
	confGroups: 2, confClients: 4, confEvery: 200 * time.Millisecond, confFor: 600 * time.Millisecond,
	tpStart: 100, tpMax: 200, tpTol: 0.05, tpStep: 300 * time.Millisecond,
	slowFor: 300 * time.Millisecond, slowStall: 2 * time.Second, slowResume: 300 * time.Millisecond,
	slowQueue: 8 << 10, slowText: 900,
	idleConns: 50, idleHold: 100 * time.Millisecond, idleSettle: 100 * time.Millisecond, idleRounds: 1,
	largeConns: 50, largeRate: 50, largeFor: 300 * time.Millisecond,
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
		"floor": {"echo_p50_us", "echo_p99_us", "fsync_p50_us", "fsync_max_us"},
		"room": {"relay_p50_ms", "relay_p50_ms_spread", "relay_p99_ms", "hub_p50_ms", "hub_p99_ms", "centrifuge_p50_ms", "centrifuge_p99_ms",
			"relay_unacked", "centrifuge_unacked", "relay_cpu_us_per_frame", "hub_cpu_us_per_frame", "centrifuge_cpu_us_per_frame"},
		"conference": {"relay_clients", "relay_sent", "relay_delivered", "relay_gaps", "relay_p50_ms", "relay_p99_ms", "relay_cpu_pct",
			"centrifuge_delivered", "centrifuge_p99_ms", "centrifuge_gaps", "relay_unacked", "centrifuge_cpu_us_per_frame", "slow_appends", "ops_per_append"},
		"throughput": {"durable_ops_per_s", "relay_ops_per_s", "relay_ops_per_s_spread", "hub_ops_per_s", "fsync_per_s",
			"nosync_ops_per_s", "centrifuge_ops_per_s", "slow_appends", "centrifuge_cpu_us_per_frame"},
		"slow-consumer": {"p99_ms_unstalled", "p99_ms_stalled", "rss_growth_mb", "cut_off", "resumed_gaps"},
		"idle":          {"connections", "relay_kb_per_conn", "hub_kb_per_conn", "centrifuge_kb_per_conn"},
		"large":         {"connections", "relay_p99_ms", "centrifuge_p99_ms", "relay_missing", "centrifuge_missing", "relay_kb_per_conn", "centrifuge_kb_per_conn", "slow_appends", "ops_per_append"},
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
		if r.Name == "conference" || r.Name == "large" {
			for _, k := range []string{"relay_gaps", "centrifuge_gaps", "relay_missing", "centrifuge_missing", "relay_unacked", "centrifuge_unacked"} {
				if g := r.Figures.Get(k); g != nil && g != 0.0 {
					t.Errorf("%s %s = %v; want 0", r.Name, k, g)
				}
			}
			// The relay's appends were watched while the ops were sent:
			// each carried one op or more.
			if a, ok := r.Figures.Get("ops_per_append").(float64); !ok || a < 1 {
				t.Errorf("%s ops_per_append = %v; want the relay's ops per log append", r.Name, r.Figures.Get("ops_per_append"))
			}
			if d := r.Figures.Get("centrifuge_delivered"); d == nil || d.(float64) == 0 {
				t.Errorf("%s: Centrifuge delivered %v; want its deliveries", r.Name, d)
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
	if len(back.Scenarios) != len(byDefault) || back.Scenarios[1].Figures["relay_p50_ms"] == nil {
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
