package session_test

import (
	"os"
	"regexp"
	"testing"

	"breakout/session"
)

// TestReadmePlan: the plan the README gives a new user is a valid plan.
func TestReadmePlan(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)\\*\\*1\\. Write a plan\\*\\*.*?```toml\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no plan in a toml block under \"1. Write a plan\"")
	}
	p, err := session.ParsePlan("README.md", m[1])
	if err != nil {
		t.Fatalf("the README's plan: %v", err)
	}
	if len(p.Survey) == 0 || !p.Survey[len(p.Survey)-1].Named {
		t.Errorf("the README's plan has no named survey item: %+v", p.Survey)
	}
}
