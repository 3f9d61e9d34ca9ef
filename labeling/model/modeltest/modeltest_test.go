package modeltest

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string) (*http.Response, map[string]any) {
	t.Helper()
	res, err := http.Post(url+"/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]any
	json.NewDecoder(res.Body).Decode(&v)
	return res, v
}

const hi = `{"model":"m","messages":[{"role":"user","content":"hi"}]}`

func TestFaultsQueueAndHeal(t *testing.T) {
	s := New(t, VLLM)
	s.Fail(Fault{Status: 500, Times: 2})
	s.Fail(Fault{Status: 429, RetryAfter: "3"})
	want := []int{500, 500, 429, 200}
	for i, w := range want {
		res, _ := post(t, s.URL, hi)
		if res.StatusCode != w {
			t.Fatalf("request %d: %d, want %d", i, res.StatusCode, w)
		}
		if w == 429 && res.Header.Get("Retry-After") != "3" {
			t.Fatal("no Retry-After")
		}
	}
	s.Fail(Fault{Status: 503, Times: -1})
	for range 3 {
		if res, _ := post(t, s.URL, hi); res.StatusCode != 503 {
			t.Fatalf("a lasting fault ended: %d", res.StatusCode)
		}
	}
	s.Heal()
	if res, _ := post(t, s.URL, hi); res.StatusCode != 200 {
		t.Fatalf("after Heal: %d", res.StatusCode)
	}
	if s.Requests() != 8 || len(s.Bodies()) != 8 {
		t.Fatalf("counted %d requests, %d bodies", s.Requests(), len(s.Bodies()))
	}
}

func TestBadRequestsAndRoutes(t *testing.T) {
	s := New(t, Ollama)
	for _, body := range []string{`{`, `{"model":"m","messages":[]}`, `{"model":"m","messages":[{"role":"user","content":"x"}],"n":0}`} {
		if res, v := post(t, s.URL, body); res.StatusCode != 400 || v["error"] == nil {
			t.Fatalf("%s: %d %v", body, res.StatusCode, v)
		}
	}
	res, err := http.Get(s.URL + "/models")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("models: %v", err)
	}
	res, _ = http.Post(s.URL+"/embeddings", "application/json", bytes.NewReader([]byte(hi)))
	if res.StatusCode != 404 {
		t.Fatalf("an unknown route: %d", res.StatusCode)
	}
}

func TestFromSchemaMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	schema := json.RawMessage(`{"type":"object","properties":{"labels":{"type":"array","minItems":2,"items":{"enum":["pos","neg"]}},
		"score":{"type":"integer","minimum":1,"maximum":5},"ok":{"type":"boolean"},"why":{"type":"string"}}}`)
	for range 20 {
		v := fromSchema(schema, rng, 0).(map[string]any)
		labels := v["labels"].([]any)
		score := v["score"].(float64)
		_, isBool := v["ok"].(bool)
		_, isText := v["why"].(string)
		if len(labels) != 2 || (labels[0] != "pos" && labels[0] != "neg") || score < 1 || score > 5 || !isBool || !isText {
			t.Fatalf("%v does not match the schema", v)
		}
	}
}
