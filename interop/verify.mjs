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
