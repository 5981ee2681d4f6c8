// Independent verifier: Digital Bazaar's JavaScript VC stack checks credentials that
// Yingshang signed (yingshang/licences/dataintegrity.py). Nobody here wrote this stack.
//
// stdin:  JSON array of jobs   [{"credential": {...}, "documents": {"<url>": <json>, ...}}]
// stdout: JSON array of results [{"verified": bool, "errors": [str], "status": [...]}]
//
// The document loader never touches the network. It serves only: the contexts bundled in
// @digitalbazaar/credentials-context, @digitalbazaar/data-integrity-context and
// @digitalbazaar/multikey-context; did:key documents resolved locally; and the URLs in the
// job's "documents" map. Any other URL is refused (the loader throws).
//
// With --bench FILE it times verifyCredential over many credentials instead (see bench()).
//
// Note: @digitalbazaar/vc keeps `verified: true` for a revoked credential; the revocation is
// `statusResult.results[].status`, reported here as `status[].status`.
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite as createEddsaJcs2022} from
  '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as credentialsContexts} from
  '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import multikeyContext from '@digitalbazaar/multikey-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import {readFile} from 'node:fs/promises';

const didKey = didKeyDriver();
didKey.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

function baseLoader() {
  const loader = new JsonLdDocumentLoader();
  for(const map of [
    credentialsContexts, dataIntegrityContext.contexts, multikeyContext.contexts
  ]) {
    for(const [url, context] of map) {
      loader.addStatic(url, context);
    }
  }
  // did:key only; every other DID method is refused.
  loader.setDidResolver({
    async get({url}) {
      if(!url.startsWith('did:key:')) {
        throw new Error(`Refused DID method: ${url}`);
      }
      return didKey.get({url});
    }
  });
  return loader;
}

function documentLoaderFor(documents = {}) {
  const loader = baseLoader();
  for(const [url, document] of Object.entries(documents)) {
    loader.addStatic(url, document);
  }
  const load = loader.build();
  return async url => {
    try {
      return await load(url);
    } catch(e) {
      throw new Error(`Refused to load "${url}": ${e.message}`);
    }
  };
}

const suite = [
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
  new DataIntegrityProof({cryptosuite: createEddsaJcs2022()})
];

function errorMessages(error, out = [], seen = new Set()) {
  if(!error || seen.has(error)) {
    return out;
  }
  seen.add(error);
  if(error.message) {
    out.push(String(error.message));
  }
  for(const nested of error.errors || []) {
    errorMessages(nested, out, seen);
  }
  if(error.cause) {
    errorMessages(error.cause, out, seen);
  }
  // jsonld.js wraps a loader's error as details.cause ("Dereferencing a URL did not ...").
  if(error.details && error.details.cause) {
    errorMessages(error.details.cause, out, seen);
  }
  return out;
}

async function verifyJob(job) {
  const {credential, documents} = job || {};
  const documentLoader = documentLoaderFor(documents);
  const options = {credential, suite, documentLoader};
  if(credential && credential.credentialStatus) {
    options.checkStatus = checkStatus;
  }
  const result = await vc.verifyCredential(options);
  const errors = [];
  errorMessages(result.error, errors);
  for(const r of result.results || []) {
    errorMessages(r.error, errors);
  }
  const status = [];
  if(result.statusResult) {
    errorMessages(result.statusResult.error, errors);
    for(const r of result.statusResult.results || []) {
      errorMessages(r.error, errors);
      status.push({
        verified: Boolean(r.verified),
        statusPurpose: r.credentialStatus ?
          r.credentialStatus.statusPurpose : null,
        status: typeof r.status === 'boolean' ? r.status : null
      });
    }
  }
  return {
    verified: Boolean(result.verified),
    errors: [...new Set(errors)],
    status
  };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function verifyJobs() {
  const jobs = JSON.parse(await readStdin());
  if(!Array.isArray(jobs)) {
    throw new TypeError('stdin must be a JSON array of jobs.');
  }
  const results = [];
  for(const job of jobs) {
    try {
      results.push(await verifyJob(job));
    } catch(e) {
      results.push({verified: false, errors: errorMessages(e), status: []});
    }
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

// Bench mode (bench/licences.py): verify many credentials with one loader, timed here.
//   node verify.mjs --bench FILE [--no-status] [--warmup N]
// FILE is {"credentials": [...], "documents": {"<url>": <json>, ...}}. The first N
// credentials (default 100) are verified untimed first, so the JIT is warm; then every
// credential is verified in turn (awaited one by one, as a single verifier would) and
// timed with process.hrtime. Prints one JSON object:
//   {"count", "verified", "status_checked", "revoked", "seconds", "per_second",
//    "first_error"}
// "verified" counts results with verified: true and, when status is checked, every
// status bit clear; "revoked" counts results with a status bit set.
async function bench(argv) {
  const file = argv[argv.indexOf('--bench') + 1];
  if(!file || file.startsWith('--')) {
    throw new TypeError('--bench needs a file: {"credentials": [...], "documents": {...}}');
  }
  const withStatus = !argv.includes('--no-status');
  const warmupAt = argv.indexOf('--warmup');
  const warmup = warmupAt >= 0 ? Number(argv[warmupAt + 1]) : 100;
  const {credentials, documents} = JSON.parse(await readFile(file, 'utf8'));
  const documentLoader = documentLoaderFor(documents);
  const verifyOne = credential => {
    // verifyCredential insists on a checkStatus for a credential with credentialStatus;
    // without status, a no-op one skips the status lists (proof, dates, controller only).
    const options = {
      credential, suite, documentLoader,
      checkStatus: withStatus ? checkStatus : async () => ({verified: true})
    };
    return vc.verifyCredential(options);
  };
  for(const credential of credentials.slice(0, warmup)) {
    await verifyOne(credential);
  }
  let verified = 0;
  let revoked = 0;
  let firstError = null;
  const started = process.hrtime.bigint();
  for(const credential of credentials) {
    const result = await verifyOne(credential);
    const bits = ((result.statusResult || {}).results || []).map(r => r.status);
    if(bits.some(bit => bit === true)) {
      revoked += 1;
    }
    if(result.verified && bits.every(bit => bit === false)) {
      verified += 1;
    } else if(firstError === null) {
      firstError = errorMessages(result.error).join('; ') || 'not verified';
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({
    count: credentials.length,
    verified,
    status_checked: withStatus,
    revoked,
    seconds,
    per_second: credentials.length / seconds,
    first_error: firstError
  }) + '\n');
}

if(process.argv.includes('--bench')) {
  await bench(process.argv);
} else {
  await verifyJobs();
}
