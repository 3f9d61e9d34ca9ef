package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// Every relative link in the README and docs/ names a file that exists and,
// with a #fragment into a Markdown file, a heading it has (GitHub's anchors).
// Sections move between docs (docs/API.md is a guide; the rules live in the
// topic docs), and a link left behind fails here.
func TestDocsLinks(t *testing.T) {
	root := filepath.Join("..", "..")
	files := []string{filepath.Join(root, "README.md")}
	for _, pattern := range []string{"docs/*.md", "examples/*/*.md"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 5 {
		t.Fatalf("found only %v", files)
	}
	checked := 0
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range markdownLinks(string(text)) {
			if regexp.MustCompile(`^[a-z]+:`).MatchString(target) {
				continue // http:, https:, mailto:
			}
			path, frag, _ := strings.Cut(target, "#")
			dest := f
			if path != "" {
				dest = filepath.Join(filepath.Dir(f), path)
			}
			checked++
			if _, err := os.Stat(dest); err != nil {
				t.Errorf("%s: link %q: no such file", f, target)
				continue
			}
			if frag != "" && strings.HasSuffix(dest, ".md") {
				body, _ := os.ReadFile(dest)
				if !markdownAnchors(string(body))[frag] {
					t.Errorf("%s: link %q: %s has no heading with that anchor", f, target, dest)
				}
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d links checked: is the link pattern still right?", checked)
	}
}

var (
	fence      = regexp.MustCompile("(?s)```.*?```")
	inlineCode = regexp.MustCompile("`[^`\n]*`")
	mdLink     = regexp.MustCompile(`\]\(([^)\s]+)\)`)
)

// markdownLinks lists the targets of [text](target) outside code.
func markdownLinks(text string) []string {
	text = inlineCode.ReplaceAllString(fence.ReplaceAllString(text, ""), "")
	var out []string
	for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// markdownAnchors are GitHub's anchors for a file's headings: lower case,
// punctuation dropped, spaces to hyphens, repeats numbered -1, -2, ….
func markdownAnchors(text string) map[string]bool {
	out, seen := map[string]bool{}, map[string]int{}
	for _, line := range strings.Split(fence.ReplaceAllString(text, ""), "\n") {
		h := strings.TrimLeft(line, "#")
		if h == line || !strings.HasPrefix(h, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(h)) {
			switch {
			case unicode.IsLetter(r), unicode.IsDigit(r), r == '_', r == '-':
				b.WriteRune(r)
			case r == ' ':
				b.WriteRune('-')
			}
		}
		s := b.String()
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}
