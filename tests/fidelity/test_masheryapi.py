"""Fidelity test: the third-party Python client masheryapi (1.0.20.2,
unchanged) against the Portico simulator.

Run with a simulator listening, e.g.:
    portico sim --addr 127.0.0.1:18044 &
    PORTICO_SIM=http://127.0.0.1:18044 python -m unittest tests/fidelity/test_masheryapi.py -v

The client builds URLs as protocol://host + /v3/..., so the simulator's
/mashery prefix goes into the host. It writes ./mashery_v3.log, so the
test runs it from a temporary directory. Throttling is the Rust tests'
subject; this suite lifts the demo key's QPS through the simulator's own
control route (/_sim/limits, not Mashery API) except in the one test that
shows the client a burst refused.
"""

import json
import os
import re
import tempfile
import unittest
import urllib.request

from masheryapi.api.masheryV3 import MasheryV3
from masheryapi.services.v3.base import Base

API_KEY = "p7qk3mzd9vw4hxr8bfea2c6n"
API_SECRET = "Tq4MwZ8rKd"
USERNAME = "portico-admin"
PASSWORD = "portico-demo-mashery"
AREA = "6f1c2a7e-3b9d-4c5e-8a1f-2d7b9e0c4a53"

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MASHERY_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


def sim_url():
    sim = os.environ.get("PORTICO_SIM")
    if not sim:
        raise unittest.SkipTest("PORTICO_SIM is not set")
    return sim.rstrip("/")


def set_qps(qps):
    req = urllib.request.Request(
        sim_url() + "/mashery/_sim/limits",
        data=json.dumps({"qps": qps}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200


class MasheryApiFidelity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        url = sim_url()
        cls.host = url.split("://", 1)[1] + "/mashery"
        cls.cwd = os.getcwd()
        cls.tmp = tempfile.TemporaryDirectory()
        os.chdir(cls.tmp.name)
        set_qps(1000)
        cls.v3 = MasheryV3("http", cls.host)
        cls.base = Base("http", cls.host, "portico-fidelity")
        token = cls.v3.authenticate(API_KEY, API_SECRET, USERNAME, PASSWORD, AREA)
        cls.token = token["access_token"]

    @classmethod
    def tearDownClass(cls):
        set_qps(2)
        os.chdir(cls.cwd)
        cls.tmp.cleanup()

    def test_a_token_has_the_documented_shape(self):
        token = self.v3.authenticate(API_KEY, API_SECRET, USERNAME, PASSWORD, AREA)
        self.assertEqual(token["token_type"], "bearer")
        self.assertEqual(token["mapi"], API_KEY)
        self.assertEqual(token["expires_in"], 3600)
        self.assertEqual(token["scope"], AREA)
        self.assertTrue(token["refresh_token"])

    def test_a_wrong_secret_raises_with_the_oauth_error(self):
        with self.assertRaises(ValueError) as caught:
            self.v3.authenticate(API_KEY, "wrong", USERNAME, PASSWORD, AREA)
        self.assertEqual(caught.exception.args[0], {"error": "invalid_client"})

    def test_a_wrong_area_raises(self):
        with self.assertRaises(ValueError) as caught:
            self.v3.authenticate(
                API_KEY, API_SECRET, USERNAME, PASSWORD, "00000000-0000-4000-8000-000000000000"
            )
        self.assertEqual(caught.exception.args[0]["error"], "invalid_scope")

    def test_list_all_applications(self):
        # get_all loops forever when the total exceeds what one page
        # returns, so the limit must cover the whole list.
        head = self.base.get(self.token, "/applications", "fields=id&limit=1")
        self.assertEqual(head.status_code, 200)
        total = int(head.headers["X-Total-count"])
        self.assertGreaterEqual(total, 30)
        self.assertEqual(len(head.json()), 1)
        apps = self.base.get_all(self.token, "/applications", "fields=id,name,created&limit=1000")
        self.assertEqual(len(apps), total)
        for app in apps:
            self.assertRegex(app["id"], UUID)
            self.assertRegex(app["created"], MASHERY_TIME)
            self.assertEqual(set(app), {"id", "name", "created"})

    def test_pages_are_indexed_by_offset(self):
        first = self.base.get(self.token, "/applications", "fields=id&limit=10&offset=0").json()
        second = self.base.get(self.token, "/applications", "fields=id&limit=10&offset=1").json()
        self.assertEqual(len(first), 10)
        self.assertEqual(len(second), 10)
        self.assertFalse({a["id"] for a in first} & {a["id"] for a in second})

    def test_fetch_one_application(self):
        apps = self.base.get(self.token, "/applications", "filter=name:Fleet Tracker").json()
        self.assertEqual(len(apps), 1)
        app_id = apps[0]["id"]
        one = self.base.get(self.token, "/applications/" + app_id, "")
        self.assertEqual(one.status_code, 200)
        body = one.json()
        self.assertIsInstance(body, dict)
        self.assertEqual(body["name"], "Fleet Tracker")
        self.assertNotIn("packageKeys", body)
        with_keys = self.base.get(self.token, "/applications/" + app_id, "fields=id,packageKeys").json()
        self.assertEqual(len(with_keys["packageKeys"]), 2)
        self.assertTrue(all(k["apikey"] for k in with_keys["packageKeys"]))

    def test_create_update_and_delete_an_application(self):
        created = self.base.create(
            self.token,
            "/members/acme-dev/applications",
            "",
            {"name": "Fidelity Probe", "description": "made by masheryapi", "ads": False},
        )
        self.assertEqual(created.status_code, 200)
        app = created.json()
        self.assertRegex(app["id"], UUID)
        self.assertEqual(app["username"], "acme-dev")

        updated = self.base.update(
            self.token, "/applications/" + app["id"], "", {"notes": "updated", "id": app["id"]}
        )
        self.assertEqual(updated.status_code, 200)
        self.assertEqual(updated.json()["notes"], "updated")
        self.assertEqual(updated.json()["description"], "made by masheryapi")

        refused = self.base.update(self.token, "/applications/" + app["id"], "", {"name": ""})
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(refused.json()["errors"][0]["property"], "name")

        self.assertEqual(self.v3.delete(self.token, "/applications/" + app["id"]), 200)
        gone = self.base.get(self.token, "/applications/" + app["id"], "")
        self.assertEqual(gone.status_code, 404)
        self.assertEqual(gone.json()["errorCode"], 404)

    def test_zz_a_burst_over_the_qps_is_refused_by_the_gateway(self):
        set_qps(2)
        try:
            codes = []
            for _ in range(4):
                resp = self.base.get(self.token, "/members", "limit=1")
                codes.append((resp.status_code, resp.headers.get("X-Mashery-Error-Code")))
            self.assertIn((403, "ERR_403_DEVELOPER_OVER_QPS"), codes)
        finally:
            set_qps(1000)


if __name__ == "__main__":
    unittest.main()
