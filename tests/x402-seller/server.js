// A real x402 seller for the tests: the simulated marketplace's routes (GET /catalog, GET /company/detail) with every
// item sold over x402 v2 by @x402/express's payment middleware (402 + PAYMENT-REQUIRED; PAYMENT-SIGNATURE in,
// 200 + data + PAYMENT-RESPONSE out), settled by a local facilitator that verifies the EIP-3009 signatures for real
// (facilitator.js). Control routes let a test inject faults and read the ledger:
//
//   GET    /health          200 once listening
//   GET    /_ledger         every settlement: {settlements: [{tx, network, asset, from, to, value, validAfter, validBefore, nonce, at}]}
//   GET    /_faults         the faults armed now
//   POST   /_faults         arm faults (JSON, every field optional; `items` limits them to those item ids):
//                            {"loseResponseOnce": true}       settle, then drop the connection mid-answer (once)
//                            {"unavailableForSeconds": 20}    answer 503 to paid requests for that long, settling nothing
//                            {"raisePriceBy": 5}              a paid request is quoted that many budget units more
//                            {"unsupportedNetwork": true}     offer only `UNSUPPORTED_NETWORK` (Polygon by default)
//                            {"x402v1": true}                 speak x402 v1 instead (requirements in the 402 body,
//                                                             X-PAYMENT in, X-PAYMENT-RESPONSE out)
//   DELETE /_faults         disarm every fault
//
// The `payment-identifier` extension is declared on every item: a paid request whose payload carries an id that was
// settled before gets the answer it got then (same payload) or 409 (another payload under that id), without a
// second settlement.
//
// Environment: PORT (default 4402; 0 picks a free one), HOST (127.0.0.1), NETWORK (eip155:84532), PAY_TO (the
// seller's address), UNSUPPORTED_NETWORK (eip155:137), MAX_TIMEOUT_SECONDS (300). The first line written is
// "x402 seller listening on http://HOST:PORT".
import { createHash } from "node:crypto";
import express from "express";
import { paymentMiddlewareFromHTTPServer, x402HTTPResourceServer, x402ResourceServer } from "@x402/express";
import { decodePaymentSignatureHeader } from "@x402/core/http";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import {
  PAYMENT_IDENTIFIER,
  declarePaymentIdentifierExtension,
  extractPaymentIdentifier,
  paymentIdentifierResourceServerExtension,
} from "@x402/extensions/payment-identifier";
import { getAddress } from "viem";
import * as catalog from "./catalog.js";
import { Ledger, localFacilitator, tokens } from "./facilitator.js";

const port = Number(process.env.PORT ?? 4402);
const host = process.env.HOST ?? "127.0.0.1";
const network = process.env.NETWORK ?? "eip155:84532";
const unsupportedNetwork = process.env.UNSUPPORTED_NETWORK ?? "eip155:137";
const payTo = getAddress(process.env.PAY_TO ?? "0x5e11e4000000000000000000000000000000a402");
const maxTimeoutSeconds = Number(process.env.MAX_TIMEOUT_SECONDS ?? 300);

/** x402 v1 names networks (base-sepolia) where v2 says eip155:84532; USDC on each as @x402/evm's default assets. */
const v1Networks = { "eip155:8453": "base", "eip155:84532": "base-sepolia" };
const v1Network = v1Networks[network] ?? network;
const usdc = [...tokens].map(([address, token]) => ({ address, ...token })).find(token => token.network === network);

const ledger = new Ledger();
const facilitator = localFacilitator(ledger, ["eip155:8453", "eip155:84532", unsupportedNetwork]);

let faults = {};
const now = () => Date.now();
const applies = itemId => !faults.items || faults.items.includes(itemId);
const paymentHeaderOf = req => req.header("payment-signature");

/** The item a data read asks for, or undefined. */
function itemOf(query) {
  const id = Number.parseInt(String(query?.id ?? ""), 10);
  return Number.isSafeInteger(id) ? catalog.find(id) : undefined;
}

/** The resource server of one network: an item's price in dollars (USDC), raised at pay time when a fault says so. */
function sellerOn(offeredNetwork) {
  const server = new x402ResourceServer(facilitator)
    .register(offeredNetwork, new ExactEvmScheme())
    .registerExtension(paymentIdentifierResourceServerExtension);
  const routes = {
    "GET /company/detail": {
      accepts: {
        scheme: "exact",
        network: offeredNetwork,
        payTo,
        maxTimeoutSeconds,
        price: context => {
          const item = itemOf(context.adapter.getQueryParams());
          const raise = context.paymentHeader && faults.raisePriceBy && applies(item.id) ? faults.raisePriceBy : 0;
          return `$${item.price + raise}`;
        },
      },
      description: "Company data from the x402 seller",
      mimeType: "application/json",
      extensions: { [PAYMENT_IDENTIFIER]: declarePaymentIdentifierExtension(false) },
    },
  };
  const http = new x402HTTPResourceServer(server, routes)
    // An unknown item is not for sale: the handler answers 404.
    .onProtectedRequest(async context => (itemOf(context.adapter.getQueryParams()) ? undefined : { grantAccess: true }));
  return paymentMiddlewareFromHTTPServer(http);
}

const sellers = { supported: sellerOn(network), unsupported: sellerOn(unsupportedNetwork) };

/** payment-identifier → {payloadHash, status, headers, body} of the paid answer it got. */
const answers = new Map();

function paymentIdentifierOf(header) {
  try {
    const payload = decodePaymentSignatureHeader(header);
    const id = extractPaymentIdentifier(payload);
    return id ? { id, payloadHash: createHash("sha256").update(JSON.stringify(payload)).digest("hex") } : undefined;
  } catch {
    return undefined;
  }
}

const app = express();
app.disable("x-powered-by");
app.use("/_faults", express.json());

app.get("/health", (_req, res) => res.json({ status: "ok" }));
app.get("/_ledger", (_req, res) => res.json({ settlements: ledger.settlements }));
app.get("/_faults", (_req, res) => res.json(describeFaults()));
app.post("/_faults", (req, res) => {
  const { loseResponseOnce, unavailableForSeconds, raisePriceBy, unsupportedNetwork: unsupported, x402v1, items } = req.body ?? {};
  faults = {
    ...faults,
    ...(loseResponseOnce !== undefined && { loseResponseOnce: loseResponseOnce === true }),
    ...(unavailableForSeconds !== undefined && { unavailableUntil: now() + 1000 * Number(unavailableForSeconds) }),
    ...(raisePriceBy !== undefined && { raisePriceBy: Number(raisePriceBy) }),
    ...(unsupported !== undefined && { unsupportedNetwork: unsupported === true }),
    ...(x402v1 !== undefined && { x402v1: x402v1 === true }),
    ...(items !== undefined && { items: Array.isArray(items) ? items.map(Number) : undefined }),
  };
  res.json(describeFaults());
});
app.delete("/_faults", (_req, res) => {
  faults = {};
  res.json(describeFaults());
});

app.get("/catalog", (req, res) => {
  const limit = Math.min(Math.max(Number.parseInt(String(req.query.limit ?? "5"), 10) || 5, 1), 50);
  res.json({ items: catalog.search(String(req.query.q ?? ""), limit).map(catalog.listed) });
});

// x402 v1 for the items told to speak it: the requirements in the 402's body, X-PAYMENT in, X-PAYMENT-RESPONSE out,
// verified and settled by the same facilitator (@x402/evm's v1 exact scheme). @x402/express 2.27 serves v2 only.
app.get("/company/detail", async (req, res, next) => {
  const item = itemOf(req.query);
  if (!item || !faults.x402v1 || !applies(item.id))
    return next();
  const requirements = {
    scheme: "exact",
    network: v1Network,
    maxAmountRequired: String(BigInt(item.price + (req.header("x-payment") && faults.raisePriceBy ? faults.raisePriceBy : 0)) * 1_000_000n),
    resource: `${req.protocol}://${req.headers.host}${req.originalUrl}`,
    description: "Company data from the x402 seller",
    mimeType: "application/json",
    outputSchema: {},
    payTo,
    maxTimeoutSeconds,
    asset: usdc.address,
    extra: { name: usdc.name, version: usdc.version },
  };
  const paymentRequired = error => res.status(402).json({ x402Version: 1, error, accepts: [requirements] });
  const header = req.header("x-payment");
  if (!header)
    return paymentRequired("X-PAYMENT header is required");
  if (faults.unavailableUntil > now())
    return res.status(503).json({ detail: "Payments unavailable" });
  try {
    const payload = JSON.parse(Buffer.from(header, "base64").toString("utf8"));
    const verified = await facilitator.verify(payload, requirements);
    if (!verified.isValid)
      return paymentRequired(verified.invalidReason ?? "invalid payment");
    const settled = await facilitator.settle(payload, requirements);
    if (!settled.success)
      return paymentRequired(settled.errorReason ?? "settlement failed");
    res.set("X-PAYMENT-RESPONSE", Buffer.from(JSON.stringify(settled)).toString("base64"));
    if (faults.loseResponseOnce) {
      faults.loseResponseOnce = false;
      req.socket.end("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
      return;
    }
    return res.json(catalog.data(item));
  } catch (error) {
    return paymentRequired(`unreadable X-PAYMENT: ${error instanceof Error ? error.message : String(error)}`);
  }
});

// Faults and the payment-identifier replay, before the payment middleware sees a paid read.
app.get("/company/detail", (req, res, next) => {
  const item = itemOf(req.query);
  const header = paymentHeaderOf(req);
  if (!item || !header)
    return next();

  if (faults.unavailableUntil > now() && applies(item.id))
    return res.status(503).json({ detail: "Payments unavailable" });

  const identified = paymentIdentifierOf(header);
  const earlier = identified && answers.get(identified.id);
  if (earlier) {
    if (earlier.payloadHash !== identified.payloadHash)
      return res.status(409).json({ detail: "payment-identifier already used with another payment" });
    res.status(earlier.status).set(earlier.headers);
    return res.send(earlier.body);
  }

  // Watch the answer: once settled (PAYMENT-RESPONSE set), remember it under its payment-identifier, then maybe lose it.
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    const settlement = res.getHeader("PAYMENT-RESPONSE");
    if (settlement && res.statusCode === 200) {
      if (identified)
        answers.set(identified.id, {
          payloadHash: identified.payloadHash,
          status: 200,
          headers: { "Content-Type": String(res.getHeader("Content-Type")), "PAYMENT-RESPONSE": String(settlement) },
          body: chunk === undefined ? "" : Buffer.from(chunk),
        });
      if (faults.loseResponseOnce && applies(item.id)) {
        // The connection drops mid-answer: the start of a 200 goes out, never its headers' end nor its body (a client
        // cannot take it for an answer, nor resend the request by itself as it may when nothing at all came back).
        faults.loseResponseOnce = false;
        req.socket.end("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n");
        return res;
      }
    }
    return end(chunk, ...rest);
  };
  return next();
});

app.get("/company/detail", (req, res, next) =>
  (faults.unsupportedNetwork && applies(itemOf(req.query)?.id) ? sellers.unsupported : sellers.supported)(req, res, next));

app.get("/company/detail", (req, res) => {
  const item = itemOf(req.query);
  if (!item)
    return res.status(404).json({ detail: "Item not found" });
  res.json(catalog.data(item));
});

function describeFaults() {
  const { unavailableUntil, ...rest } = faults;
  return {
    ...rest,
    ...(unavailableUntil > now() && { unavailableForSeconds: Math.ceil((unavailableUntil - now()) / 1000) }),
  };
}

const listener = app.listen(port, host, () => {
  const { port: bound } = listener.address();
  console.log(`x402 seller listening on http://${host}:${bound}`);
});

for (const signal of ["SIGTERM", "SIGINT"])
  process.on(signal, () => listener.close(() => process.exit(0)));
