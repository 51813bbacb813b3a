#!/usr/bin/env python3
"""Build a tiny real PyTorch text-embedding model and upload it to Elasticsearch, as eland does.

The model is TorchScript: an 8-dimensional token embedding averaged over the attention mask. It takes
the four inputs Elasticsearch passes for BERT tokenization (input ids, attention mask, token type ids,
position ids), so the ML node really loads and runs it; a deployment of it starts in seconds and needs
little memory. That makes it the model of the real-cluster test tier (tests/real-cluster/) and of the
quickstart against a real cluster.

Upload (the REST calls eland makes):
  PUT _ml/trained_models/<id>                    configuration (text_embedding, BERT tokenization)
  PUT _ml/trained_models/<id>/definition/<part>  the TorchScript file, base64, in 4 MiB parts
  PUT _ml/trained_models/<id>/vocabulary         the WordPiece vocabulary

Connection, from flags or the same environment variables the Pulumi resource reads:
  ELASTICSEARCH_ENDPOINTS (first URL), ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME +
  ELASTICSEARCH_PASSWORD, ELASTICSEARCH_CA_FILE, ELASTICSEARCH_INSECURE=true.

Examples:
  pip install torch
  python3 scripts/real-cluster/make-tiny-model.py                 # build and upload tiny-text-embedding
  python3 scripts/real-cluster/make-tiny-model.py --verify        # ... then deploy it once and run _infer
  python3 scripts/real-cluster/make-tiny-model.py --out tiny.pt   # only build the TorchScript file
  python3 scripts/real-cluster/make-tiny-model.py --definition tiny.pt   # upload a built file (no torch needed)

Only the standard library is needed to upload; PyTorch only to build.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import math
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings

MODEL_ID = "tiny-text-embedding"
EMBEDDING_SIZE = 8
PART_BYTES = 4 * 1024 * 1024  # raw bytes per definition part, as eland sends them
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = ["elastic", "search", "model", "deploy", "pulumi", "cluster", "node", "text", "the", "a"]


def vocabulary() -> list[str]:
    """BERT WordPiece vocabulary: special tokens, words, letters and their continuation pieces."""
    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    return SPECIAL_TOKENS + WORDS + letters + ["##" + letter for letter in letters]


def build_torchscript(vocab_size: int) -> bytes:
    """The TorchScript file's bytes. Deterministic weights, so every run builds the same model."""
    try:
        import torch
    except ImportError:
        sys.exit(
            "make-tiny-model: PyTorch is needed to build the model: pip install torch\n"
            "(or upload a file built elsewhere with --definition FILE)"
        )

    class TinyTextEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embeddings = torch.nn.Embedding(vocab_size, EMBEDDING_SIZE)

        def forward(self, input_ids, attention_mask, token_type_ids, position_ids):
            # Elasticsearch passes all four BERT inputs; only the ids and the mask matter here.
            mask = attention_mask.unsqueeze(-1).to(torch.float32)
            summed = (self.embeddings(input_ids) * mask).sum(dim=1)
            return summed / mask.sum(dim=1).clamp(min=1.0)

    # Recent PyTorch deprecates torch.jit in favour of torch.export, but TorchScript is what Elasticsearch's
    # ML nodes load (through the libtorch they bundle), so that is what is built.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"torch\.jit")
    torch.manual_seed(0)
    model = TinyTextEmbedding().eval()
    example = torch.tensor([[2, 5, 6, 3]], dtype=torch.int64)  # [CLS] elastic search [SEP]
    inputs = (example, torch.ones_like(example), torch.zeros_like(example), torch.arange(4).unsqueeze(0))
    with torch.no_grad():
        traced = torch.jit.trace(model, inputs)
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer)
    print(f"make-tiny-model: built TorchScript with torch {torch.__version__} ({buffer.tell()} bytes)")
    return buffer.getvalue()


class Cluster:
    """Plain REST calls with the resource's environment variables for address, credentials and TLS."""

    def __init__(self, endpoint: str, headers: dict[str, str], context: ssl.SSLContext | None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.headers = headers
        self.context = context

    def call(self, method: str, path: str, body: object | None = None, ok: tuple[int, ...] = ()) -> dict:
        data = None if body is None else json.dumps(body).encode()
        headers = dict(self.headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.endpoint + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=120) as response:
                text = response.read().decode()
                status = response.status
        except urllib.error.HTTPError as err:
            text = err.read().decode()
            status = err.code
            if status not in ok:
                raise SystemExit(f"make-tiny-model: {method} {path} failed with {status}: {text[:500]}") from None
        except urllib.error.URLError as err:
            raise SystemExit(f"make-tiny-model: {method} {self.endpoint}{path}: {err.reason}") from None
        print(f"  {method} {path} -> {status}")
        return json.loads(text) if text else {}


def connect(args: argparse.Namespace) -> Cluster:
    endpoint = args.endpoint or os.environ.get("ELASTICSEARCH_ENDPOINTS", "").split(",")[0].strip()
    if endpoint.startswith("["):
        endpoint = json.loads(os.environ["ELASTICSEARCH_ENDPOINTS"])[0]
    if not endpoint:
        sys.exit("make-tiny-model: set ELASTICSEARCH_ENDPOINTS or pass --endpoint URL")
    headers = {}
    api_key = os.environ.get("ELASTICSEARCH_API_KEY")
    username = os.environ.get("ELASTICSEARCH_USERNAME")
    if api_key:
        if ":" in api_key:  # id:api_key, as the resource accepts it
            api_key = base64.b64encode(api_key.encode()).decode()
        headers["Authorization"] = f"ApiKey {api_key}"
    elif username:
        token = base64.b64encode(f"{username}:{os.environ.get('ELASTICSEARCH_PASSWORD', '')}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    context = None
    if endpoint.startswith("https:"):
        ca_file = args.ca_file or os.environ.get("ELASTICSEARCH_CA_FILE")
        context = ssl.create_default_context(cafile=ca_file)
        if args.insecure or os.environ.get("ELASTICSEARCH_INSECURE", "").lower() == "true":
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
    return Cluster(endpoint, headers, context)


def upload(cluster: Cluster, model_id: str, definition: bytes, vocab: list[str], replace: bool) -> None:
    base = f"/_ml/trained_models/{urllib.parse.quote(model_id, safe='')}"
    if replace:
        cluster.call("DELETE", f"{base}?force=true", ok=(404,))
    cluster.call(
        "PUT",
        base,
        {
            "description": "A tiny text-embedding model for testing pulumi-elasticsearch-ml",
            "model_type": "pytorch",
            "input": {"field_names": ["text_field"]},
            "inference_config": {
                "text_embedding": {
                    "embedding_size": EMBEDDING_SIZE,
                    "tokenization": {
                        "bert": {
                            "do_lower_case": True,
                            "with_special_tokens": True,
                            "max_sequence_length": 128,
                            "truncate": "first",
                        }
                    },
                }
            },
        },
    )
    total_parts = max(1, math.ceil(len(definition) / PART_BYTES))
    for part in range(total_parts):
        chunk = definition[part * PART_BYTES : (part + 1) * PART_BYTES]
        cluster.call(
            "PUT",
            f"{base}/definition/{part}",
            {
                "definition": base64.b64encode(chunk).decode(),
                "total_definition_length": len(definition),
                "total_parts": total_parts,
            },
        )
    cluster.call("PUT", f"{base}/vocabulary", {"vocabulary": vocab})


def verify(cluster: Cluster, model_id: str) -> None:
    """Deploy the model once under a throw-away id, embed one text, stop it: proof the ML node runs it."""
    deployment_id = f"{model_id}-verify"
    base = f"/_ml/trained_models/{urllib.parse.quote(model_id, safe='')}"
    query = urllib.parse.urlencode({"deployment_id": deployment_id, "wait_for": "started", "timeout": "5m"})
    started = time.monotonic()
    cluster.call("POST", f"{base}/deployment/_start?{query}")
    try:
        result = cluster.call(
            "POST", f"/_ml/trained_models/{deployment_id}/_infer", {"docs": [{"text_field": "elastic search"}]}
        )
        embedding = result["inference_results"][0]["predicted_value"]
        if len(embedding) != EMBEDDING_SIZE:
            sys.exit(f"make-tiny-model: expected {EMBEDDING_SIZE} numbers, got {embedding!r}")
        print(f"make-tiny-model: deployed and embedded a text in {time.monotonic() - started:.1f}s: {embedding[:3]}...")
    finally:
        cluster.call("POST", f"/_ml/trained_models/{deployment_id}/deployment/_stop?force=true")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-id", default=MODEL_ID, help=f"model id (default {MODEL_ID})")
    parser.add_argument("--endpoint", help="cluster URL (default: first of ELASTICSEARCH_ENDPOINTS)")
    parser.add_argument("--ca-file", help="PEM file of a CA to trust (default: ELASTICSEARCH_CA_FILE)")
    parser.add_argument("--insecure", action="store_true", help="skip TLS verification (development only)")
    parser.add_argument("--out", help="write the TorchScript file here and stop (no upload)")
    parser.add_argument("--definition", help="upload this TorchScript file instead of building one")
    parser.add_argument("--replace", action="store_true", help="delete an existing model with the id first")
    parser.add_argument("--verify", action="store_true", help="after uploading, deploy once and run _infer")
    args = parser.parse_args()

    vocab = vocabulary()
    if args.definition:
        with open(args.definition, "rb") as file:
            definition = file.read()
    else:
        definition = build_torchscript(len(vocab))
    if args.out:
        with open(args.out, "wb") as file:
            file.write(definition)
        print(f"make-tiny-model: wrote {args.out}")
        return
    cluster = connect(args)
    print(f"make-tiny-model: uploading {args.model_id} to {cluster.endpoint}")
    upload(cluster, args.model_id, definition, vocab, args.replace)
    if args.verify:
        verify(cluster, args.model_id)
    print(f"make-tiny-model: {args.model_id} is ready to deploy")


if __name__ == "__main__":
    main()
