"""Requests to `keyward xks-proxy` signed by botocore's own SigV4 signer
(service `kms-xks-proxy`), an implementation independent of keyward's.

    python xks_proxy_botocore.py ENDPOINT ACCESS_KEY SECRET
"""

import json
import sys
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

endpoint, access_key, secret = sys.argv[1:4]


def post(path, body, key_secret=secret):
    request = AWSRequest(method="POST", url=endpoint + path, data=json.dumps(body),
                         headers={"Content-Type": "application/json"})
    SigV4Auth(Credentials(access_key, key_secret), "kms-xks-proxy", "us-east-1").add_auth(request)
    prepared = request.prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    sent = urllib.request.Request(prepared.url, data=body, headers=dict(prepared.headers), method="POST")
    # Straight to the proxy on loopback, whatever proxy the environment names.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(sent) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


metadata = {"awsPrincipalArn": "arn:aws:iam::111122223333:root", "kmsKeyArn": "arn:aws:kms:us-east-1:111122223333:key/x",
            "kmsOperation": "Encrypt", "kmsRequestId": "r-1"}
status, health = post("/kms/xks/v1/health", {"requestMetadata": {"kmsRequestId": "r", "kmsOperation": "KmsHealthCheck"}})
assert status == 200 and health["ekmFleetDetails"][0]["healthStatus"] == "ACTIVE", (status, health)
status, sealed = post("/kms/xks/v1/keys/k1/encrypt", {"requestMetadata": metadata, "plaintext": "SGVsbG8=",
                                                      "encryptionAlgorithm": "AES_GCM"})
assert status == 200, (status, sealed)
status, opened = post("/kms/xks/v1/keys/k1/decrypt", {"requestMetadata": metadata, "encryptionAlgorithm": "AES_GCM",
                                                      "ciphertext": sealed["ciphertext"],
                                                      "initializationVector": sealed["initializationVector"],
                                                      "authenticationTag": sealed["authenticationTag"]})
assert (status, opened) == (200, {"plaintext": "SGVsbG8="}), (status, opened)
status, refused = post("/kms/xks/v1/health", {"requestMetadata": {}}, key_secret="wrong")
assert (status, refused["errorName"]) == (401, "AuthenticationFailedException"), (status, refused)
print("passed")
