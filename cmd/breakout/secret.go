package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Secrets on the command line (a join code, the admin token) show in
// `ps` and in shell history to everyone on the machine. Each command that
// takes one also reads it from a file named by a flag or from an
// environment variable.

// Environment variables that hold secrets.
const (
	envCode  = "BREAKOUT_CODE"
	envToken = "BREAKOUT_TOKEN"
)

// argAt returns args[i], or "" when there are fewer.
func argAt(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

// secret returns a secret from the file fileFlag names (file), from the
// command line (arg, the positional argument or a flag), or from the
// environment variable env, in that order; what names it in messages
// ("join code"), flag the file flag ("--code-file").
func secret(what, flag, file, arg, env string) (string, error) {
	if file != "" && arg != "" {
		return "", fmt.Errorf("the %s is given twice, on the command line and with %s; give it once", what, flag)
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("read the %s: %w", what, err)
		}
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", fmt.Errorf("%s is empty; it should hold the %s", file, what)
		}
		return s, nil
	}
	if arg != "" {
		return arg, nil
	}
	if s := strings.TrimSpace(os.Getenv(env)); s != "" {
		return s, nil
	}
	return "", errors.New("no " + what + ": give it with " + flag + " FILE or in $" + env)
}
