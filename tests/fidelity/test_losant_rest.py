"""Fidelity test: Losant's own Python client (losant-rest 2.3.0, unchanged)
against the Portico simulator.

Run with a simulator listening, e.g.:
    portico sim --addr 127.0.0.1:18044 &
    PORTICO_SIM=http://127.0.0.1:18044 python -m unittest tests/fidelity/test_losant_rest.py -v

The certificates under tests/fixtures/certs/ were made once with openssl;
the expected serials and SHA-256 fingerprints below are what
`openssl x509 -noout -serial -fingerprint -sha256` printed for them.
"""

import os
import pathlib
import re
import unittest

from losant_rest import Client
from losant_rest.losant_error import LosantError

EMAIL = "admin@losant.portico.demo"
PASSWORD = "portico-demo-losant"
FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "certs"

DEVICE_PEM = FIXTURES / "losant-fidelity-device.pem"
DEVICE_CN = "fidelity-device-01.portico.test"
DEVICE_SERIAL = "2A9F21347F82612D9A9E9FADC195A1863AFD89F1"
DEVICE_SHA256 = (
    "23B80A327A463F0F5C5E4465F22C7025A363E95AB17653E4FF6CB692573BE296"
)
RENEWED_PEM = FIXTURES / "losant-fidelity-device-renewed.pem"
RENEWED_CN = "fidelity-device-01-renewed.portico.test"
RENEWED_SERIAL = "36903C23A47ED969153DE7A86C13D72B143C60E4"

OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def base_url():
    sim = os.environ.get("PORTICO_SIM")
    if not sim:
        raise unittest.SkipTest("PORTICO_SIM is not set")
    return sim.rstrip("/") + "/losant"


class LosantRestFidelity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.url = base_url()
        anonymous = Client(url=cls.url)
        authed = anonymous.auth.authenticate_user(
            credentials={"email": EMAIL, "password": PASSWORD}
        )
        assert OBJECT_ID.match(authed["userId"]), authed
        cls.client = Client(auth_token=authed["token"], url=cls.url)
        apps = cls.client.applications.get(sortField="name")
        by_name = {a["name"]: a for a in apps["items"]}
        cls.app_id = by_name["Fleet Telematics"]["id"]

    def test_wrong_password_is_401(self):
        with self.assertRaises(LosantError) as ctx:
            Client(url=self.url).auth.authenticate_user(
                credentials={"email": EMAIL, "password": "not-the-password"}
            )
        self.assertEqual(ctx.exception.status, 401)
        self.assertEqual(
            ctx.exception.data, {"type": "Unauthorized", "message": "Unauthorized"}
        )

    def test_no_token_is_401(self):
        with self.assertRaises(LosantError) as ctx:
            Client(url=self.url).applications.get()
        self.assertEqual(ctx.exception.status, 401)
        self.assertEqual(ctx.exception.data["type"], "Unauthorized")

    def test_list_applications(self):
        apps = self.client.applications.get(perPage=2, page=0, sortField="name")
        self.assertEqual(apps["count"], 2)
        self.assertGreaterEqual(apps["totalCount"], 3)
        self.assertEqual(apps["perPage"], 2)
        self.assertEqual(apps["page"], 0)
        self.assertEqual(apps["sortField"], "name")
        self.assertEqual(apps["sortDirection"], "asc")
        names = [a["name"] for a in apps["items"]]
        self.assertEqual(names, sorted(names, key=str.lower))
        app = self.client.application.get(applicationId=self.app_id)
        self.assertEqual(app["name"], "Fleet Telematics")
        self.assertEqual(app["applicationId"], self.app_id)

    def test_certificate_lifecycle(self):
        certs = self.client.application_certificates.get(applicationId=self.app_id)
        self.assertEqual(certs["applicationId"], self.app_id)
        self.assertEqual(certs["sortField"], "certificateInfo.commonName")
        before = certs["totalCount"]

        created = self.client.application_certificates.post(
            applicationId=self.app_id,
            applicationCertificate={
                "certificate": DEVICE_PEM.read_text(),
                "description": "Fidelity test device",
                "status": "active",
            },
        )
        cert_id = created["id"]
        self.assertTrue(OBJECT_ID.match(cert_id))
        self.assertEqual(created["applicationCertificateId"], cert_id)
        self.assertEqual(created["applicationId"], self.app_id)
        self.assertTrue(ISO_MS_Z.match(created["creationDate"]))
        info = created["certificateInfo"]
        self.assertEqual(info["commonName"], DEVICE_CN)
        self.assertEqual(info["issuerName"], DEVICE_CN)
        self.assertEqual(info["serialNumber"], DEVICE_SERIAL)
        self.assertEqual(info["fingerprint"], DEVICE_SHA256.lower())
        self.assertTrue(info["notValidBefore"].startswith("2026-11-23T13:51:33"))
        self.assertTrue(info["notValidAfter"].startswith("2056-11-15T13:51:33"))

        got = self.client.application_certificate.get(
            applicationId=self.app_id, applicationCertificateId=cert_id
        )
        self.assertEqual(got["certificateInfo"], info)
        self.assertEqual(got["description"], "Fidelity test device")

        filtered = self.client.application_certificates.get(
            applicationId=self.app_id,
            filterField="certificateInfo.commonName",
            filter="fidelity-device-01.*",
        )
        self.assertEqual([c["id"] for c in filtered["items"]], [cert_id])

        patched = self.client.application_certificate.patch(
            applicationId=self.app_id,
            applicationCertificateId=cert_id,
            applicationCertificate={
                "status": "inactive",
                "certificate": RENEWED_PEM.read_text(),
            },
        )
        self.assertEqual(patched["status"], "inactive")
        self.assertEqual(patched["certificateInfo"]["commonName"], RENEWED_CN)
        self.assertEqual(patched["certificateInfo"]["serialNumber"], RENEWED_SERIAL)

        with self.assertRaises(LosantError) as ctx:
            self.client.application_certificate.patch(
                applicationId=self.app_id,
                applicationCertificateId=cert_id,
                applicationCertificate={"deviceIds": ["575ecf887ae143cd83dc4aa2"]},
            )
        self.assertEqual(ctx.exception.status, 400)
        self.assertEqual(ctx.exception.data["type"], "Validation")

        with self.assertRaises(LosantError) as ctx:
            self.client.application_certificates.post(
                applicationId=self.app_id,
                applicationCertificate={"certificate": "x" * 80},
            )
        self.assertEqual(ctx.exception.status, 400)

        deleted = self.client.application_certificate.delete(
            applicationId=self.app_id, applicationCertificateId=cert_id
        )
        self.assertEqual(deleted, {"success": True})
        with self.assertRaises(LosantError) as ctx:
            self.client.application_certificate.get(
                applicationId=self.app_id, applicationCertificateId=cert_id
            )
        self.assertEqual(ctx.exception.status, 404)
        self.assertEqual(ctx.exception.data["type"], "NotFound")
        after = self.client.application_certificates.get(applicationId=self.app_id)
        self.assertEqual(after["totalCount"], before)

    def test_key_lifecycle(self):
        created = self.client.application_keys.post(
            applicationId=self.app_id,
            applicationKey={
                "name": "Fidelity test key",
                "description": "Created by the losant-rest fidelity test",
            },
        )
        key_id = created["id"]
        secret = created["secret"]
        self.assertTrue(OBJECT_ID.match(key_id))
        self.assertTrue(secret)
        self.assertEqual(created["status"], "active")
        self.assertEqual(created["createdByType"], "user")

        got = self.client.application_key.get(
            applicationId=self.app_id, applicationKeyId=key_id
        )
        self.assertNotIn("secret", got)
        self.assertEqual(got["key"], created["key"])

        listed = self.client.application_keys.get(applicationId=self.app_id)
        self.assertEqual(listed["sortField"], "creationDate")
        self.assertEqual(listed["sortDirection"], "desc")
        # Newest first by default, so the new key heads the list.
        self.assertEqual(listed["items"][0]["id"], key_id)
        for item in listed["items"]:
            self.assertNotIn("secret", item)
            self.assertNotIn(secret, str(item))

        patched = self.client.application_key.patch(
            applicationId=self.app_id,
            applicationKeyId=key_id,
            applicationKey={"status": "inactive", "description": "Rotated out"},
        )
        self.assertEqual(patched["status"], "inactive")
        self.assertEqual(patched["description"], "Rotated out")
        self.assertNotIn("secret", patched)

        deleted = self.client.application_key.delete(
            applicationId=self.app_id, applicationKeyId=key_id
        )
        self.assertEqual(deleted, {"success": True})
        with self.assertRaises(LosantError) as ctx:
            self.client.application_key.get(
                applicationId=self.app_id, applicationKeyId=key_id
            )
        self.assertEqual(ctx.exception.status, 404)

    def test_api_token_lifecycle_and_scopes(self):
        created = self.client.application_api_tokens.post(
            applicationId=self.app_id,
            apiToken={
                "name": "Fidelity read-only token",
                "description": "Made by the losant-rest fidelity test",
                "scope": ["all.Application.read"],
            },
        )
        token_id = created["id"]
        token = created["token"]
        self.assertTrue(OBJECT_ID.match(token_id))
        self.assertTrue(token)
        self.assertEqual(created["scope"], ["all.Application.read"])
        self.assertEqual(created["status"], "active")
        self.assertTrue(ISO_MS_Z.match(created["creationDate"]))

        # The token is shown once: never read back, never listed.
        got = self.client.application_api_token.get(
            applicationId=self.app_id, apiTokenId=token_id
        )
        self.assertNotIn("token", got)
        self.assertEqual(got["name"], "Fidelity read-only token")
        self.assertEqual(got["scope"], ["all.Application.read"])
        listed = self.client.application_api_tokens.get(applicationId=self.app_id)
        self.assertIn(token_id, [t["id"] for t in listed["items"]])
        for item in listed["items"]:
            self.assertNotIn("token", item)
            self.assertNotIn(token, str(item))

        # The scoped token reads its application but may change nothing.
        scoped = Client(auth_token=token, url=self.url)
        certs = scoped.application_certificates.get(applicationId=self.app_id)
        self.assertGreaterEqual(certs["totalCount"], 1)
        cert_id = certs["items"][0]["id"]
        with self.assertRaises(LosantError) as ctx:
            scoped.application_certificate.patch(
                applicationId=self.app_id,
                applicationCertificateId=cert_id,
                applicationCertificate={"description": "should not stick"},
            )
        self.assertEqual(ctx.exception.status, 403)
        self.assertEqual(ctx.exception.data["type"], "Forbidden")
        self.assertIn("message", ctx.exception.data)
        with self.assertRaises(LosantError) as ctx:
            scoped.application_api_tokens.post(
                applicationId=self.app_id,
                apiToken={"name": "escalation", "scope": ["all.Application"]},
            )
        self.assertEqual(ctx.exception.status, 403)
        unchanged = self.client.application_certificate.get(
            applicationId=self.app_id, applicationCertificateId=cert_id
        )
        self.assertNotEqual(unchanged.get("description"), "should not stick")

        # A validation error lists each broken rule.
        with self.assertRaises(LosantError) as ctx:
            self.client.application_api_tokens.post(
                applicationId=self.app_id, apiToken={"scope": ["all.Application.read"]}
            )
        self.assertEqual(ctx.exception.status, 400)
        self.assertEqual(ctx.exception.data["type"], "Validation")
        names = [e["name"] for e in ctx.exception.data["validationErrors"]]
        self.assertIn("name", names)

        patched = self.client.application_api_token.patch(
            applicationId=self.app_id,
            apiTokenId=token_id,
            apiToken={"status": "inactive", "description": "Disabled"},
        )
        self.assertEqual(patched["status"], "inactive")
        self.assertEqual(patched["description"], "Disabled")
        self.assertNotIn("token", patched)
        # Disabled, the token no longer logs in at all.
        with self.assertRaises(LosantError) as ctx:
            scoped.application_certificates.get(applicationId=self.app_id)
        self.assertEqual(ctx.exception.status, 401)

        deleted = self.client.application_api_token.delete(
            applicationId=self.app_id, apiTokenId=token_id
        )
        self.assertEqual(deleted, {"success": True})
        with self.assertRaises(LosantError) as ctx:
            self.client.application_api_token.get(
                applicationId=self.app_id, apiTokenId=token_id
            )
        self.assertEqual(ctx.exception.status, 404)


if __name__ == "__main__":
    unittest.main()
