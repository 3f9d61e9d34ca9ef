package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestHelpAndBadProfile(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "-profile") || errb.Len() != 0 {
		t.Fatalf("--help: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"--profile", "gpt"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "llama.cpp") {
		t.Fatalf("unknown profile: exit %d, %q", code, errb.String())
	}
}

func TestServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"--profile", "ollama"}, &out, &errb) }()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
}
