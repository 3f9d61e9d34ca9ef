"""The pipeline's checks on their own: `python3 -m unittest test_pipeline` here
(cmd/copyhold/pipeline_test.go runs it in `make test`)."""

import json
import os
import tempfile
import unittest

import pipeline

# The example of the Standard Webhooks specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
HEADERS = {"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
           "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}
BODY = b'{"test": 2432232314}'
NOW = 1614265330 + 10


class Verify(unittest.TestCase):
    def test_the_specification_example(self):
        pipeline.verify(SECRET, HEADERS, BODY, now=NOW)

    def test_one_of_several_signatures(self):
        h = dict(HEADERS, **{"webhook-signature": "v1,bm90IGl0 " + HEADERS["webhook-signature"]})
        pipeline.verify(SECRET, h, BODY, now=NOW)

    def test_refusals(self):
        cases = {
            "body": (SECRET, HEADERS, b'{"test": 2432232315}', NOW),
            "secret": ("whsec_" + "A" * 44, HEADERS, BODY, NOW),
            "id": (SECRET, dict(HEADERS, **{"webhook-id": "msg_other"}), BODY, NOW),
            "stale": (SECRET, HEADERS, BODY, NOW + 600),
            "future": (SECRET, HEADERS, BODY, NOW - 600),
            "version": (SECRET, dict(HEADERS, **{"webhook-signature": "v2," + HEADERS["webhook-signature"][3:]}), BODY, NOW),
            "missing": (SECRET, {"webhook-id": HEADERS["webhook-id"]}, BODY, NOW),
            "timestamp": (SECRET, dict(HEADERS, **{"webhook-timestamp": "soon"}), BODY, NOW),
        }
        for name, (secret, headers, body, now) in cases.items():
            with self.subTest(name), self.assertRaises(ValueError):
                pipeline.verify(secret, headers, body, now=now)


class CheckDPO(unittest.TestCase):
    def check(self, *rows):
        fd, path = tempfile.mkstemp(suffix=".jsonl")
        self.addCleanup(os.remove, path)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for r in rows:
                f.write((r if isinstance(r, str) else json.dumps(r)) + "\n")
        return pipeline.check_dpo(path)

    def test_good_rows(self):
        self.assertEqual(self.check({"prompt": "Capital of France?", "chosen": " Paris.", "rejected": " Lyon."},
                                    {"prompt": "Say: ", "chosen": "yes", "rejected": "no"}), 2)

    def test_bad_rows(self):
        good = {"prompt": "Q?", "chosen": " A.", "rejected": " B."}
        cases = {
            "not json": "{",
            "extra key": dict(good, margin=1),
            "missing key": {"prompt": "Q?", "chosen": " A."},
            "conversational": dict(good, chosen=[{"role": "assistant", "content": "A."}]),
            "empty prompt": dict(good, prompt=" "),
            "empty chosen": dict(good, chosen=" "),
            "same texts": dict(good, rejected=" A."),
            "no separator": dict(good, chosen="A."),
            "a list": [good],
        }
        for name, row in cases.items():
            with self.subTest(name), self.assertRaises(pipeline.Fail) as e:
                self.check(good, row)
            self.assertEqual(e.exception.code, pipeline.BAD_EXPORT)
            self.assertIn("line 2", str(e.exception))
        with self.assertRaises(pipeline.Fail):
            self.check()


if __name__ == "__main__":
    unittest.main()
