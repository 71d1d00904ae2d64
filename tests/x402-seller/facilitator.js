// A local x402 facilitator without a chain: @x402/core's x402Facilitator with @x402/evm's `exact` scheme (its
// facilitator side: EIP-712 signature recovery, payTo, amount, validAfter/validBefore, asset checks), over a fake
// chain that settles transferWithAuthorization into an in-memory ledger. The ledger refuses an authorization nonce
// that was already used (per token and payer, as an EIP-3009 token does) and answers with a made-up transaction hash.
import { x402Facilitator } from "@x402/core/facilitator";
import { registerExactEvmScheme } from "@x402/evm/exact/facilitator";
import { decodeFunctionData, encodeFunctionResult, getAddress, keccak256, parseAbi, stringToHex, verifyTypedData } from "viem";

/** The EIP-3009 tokens this chain knows: address → EIP-712 domain name and version (as @x402/evm's default assets). */
export const tokens = new Map([
  ["0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", { network: "eip155:8453", name: "USD Coin", version: "2" }],
  ["0x036CbD53842c5426634e7929541eC2318f3dCF7e", { network: "eip155:84532", name: "USDC", version: "2" }],
  ["0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359", { network: "eip155:137", name: "USD Coin", version: "2" }],
].map(([address, token]) => [getAddress(address), token]));

const facilitatorAddress = getAddress("0x00000000000000000000000000000000000fac11");

/** The token reads the facilitator batches through Multicall3 when it explains a failed simulation. */
const tokenReads = parseAbi([
  "function name() view returns (string)",
  "function version() view returns (string)",
  "function balanceOf(address account) view returns (uint256)",
  "function authorizationState(address authorizer, bytes32 nonce) view returns (bool)",
]);

/** Every settlement, in order, and the nonces they used. */
export class Ledger {
  settlements = [];
  #used = new Set();

  static key(asset, from, nonce) {
    return `${getAddress(asset)}:${getAddress(from)}:${String(nonce).toLowerCase()}`;
  }

  isUsed(asset, from, nonce) {
    return this.#used.has(Ledger.key(asset, from, nonce));
  }

  /** Records a transfer; throws as the token contract reverts when the nonce was used or the window is closed. */
  settle({ asset, from, to, value, validAfter, validBefore, nonce }) {
    const now = BigInt(Math.floor(Date.now() / 1000));
    if (this.isUsed(asset, from, nonce))
      throw new Error("FiatTokenV2: authorization is used or canceled");
    if (now <= BigInt(validAfter))
      throw new Error("FiatTokenV2: authorization is not yet valid");
    if (now >= BigInt(validBefore))
      throw new Error("FiatTokenV2: authorization is expired");
    this.#used.add(Ledger.key(asset, from, nonce));
    const tx = keccak256(stringToHex(`settlement:${this.settlements.length}:${Ledger.key(asset, from, nonce)}`));
    this.settlements.push({
      tx,
      network: tokens.get(getAddress(asset))?.network ?? null,
      asset: getAddress(asset),
      from: getAddress(from),
      to: getAddress(to),
      value: BigInt(value).toString(),
      validAfter: BigInt(validAfter).toString(),
      validBefore: BigInt(validBefore).toString(),
      nonce: String(nonce).toLowerCase(),
      at: new Date().toISOString(),
    });
    return tx;
  }
}

/**
 * The FacilitatorEvmSigner @x402/evm's facilitator calls: reads, signature checks and writes answered by the ledger.
 * Accounts have no code (plain keys: the scheme then recovers the ECDSA signer itself); the known tokens have some.
 */
function fakeChain(ledger) {
  return {
    getAddresses: () => [facilitatorAddress],
    async getCode({ address }) {
      return tokens.has(getAddress(address)) ? "0x6080604052" : "0x";
    },
    async verifyTypedData(args) {
      return verifyTypedData(args);
    },
    async readContract({ address, functionName, args = [] }) {
      if (functionName === "tryAggregate")
        // Multicall3: each call decoded, answered by this chain, encoded back; a revert is a failed entry.
        return Promise.all(args[1].map(async ({ target, callData }) => {
          try {
            const call = decodeFunctionData({ abi: tokenReads, data: callData });
            const result = await this.readContract({ address: target, functionName: call.functionName, args: call.args });
            return { success: true, returnData: encodeFunctionResult({ abi: tokenReads, functionName: call.functionName, result }) };
          } catch {
            return { success: false, returnData: "0x" };
          }
        }));
      const token = tokens.get(getAddress(address));
      if (!token)
        throw new Error(`no contract at ${address}`);
      switch (functionName) {
        case "name": return token.name;
        case "version": return token.version;
        case "balanceOf": return 10n ** 30n;
        case "authorizationState": return ledger.isUsed(address, args[0], args[1]);
        case "transferWithAuthorization": {
          // eth_call of the transfer: reverts as the real token would, changes nothing.
          const [from, , , validAfter, validBefore, nonce] = args;
          const now = BigInt(Math.floor(Date.now() / 1000));
          if (ledger.isUsed(address, from, nonce))
            throw new Error("FiatTokenV2: authorization is used or canceled");
          if (now <= BigInt(validAfter))
            throw new Error("FiatTokenV2: authorization is not yet valid");
          if (now >= BigInt(validBefore))
            throw new Error("FiatTokenV2: authorization is expired");
          return undefined;
        }
        default: throw new Error(`${functionName} is not simulated`);
      }
    },
    async writeContract({ address, functionName, args }) {
      if (functionName !== "transferWithAuthorization")
        throw new Error(`${functionName} is not simulated`);
      const [from, to, value, validAfter, validBefore, nonce] = args;
      return ledger.settle({ asset: address, from, to, value, validAfter, validBefore, nonce });
    },
    async sendTransaction() {
      throw new Error("no transactions but transfers on this chain");
    },
    async waitForTransactionReceipt() {
      return { status: "success" };
    },
  };
}

/** A facilitator for `networks` on the fake chain, as the FacilitatorClient a resource server talks to. */
export function localFacilitator(ledger, networks) {
  const facilitator = registerExactEvmScheme(new x402Facilitator(), { signer: fakeChain(ledger), networks });
  return {
    verify: (paymentPayload, paymentRequirements) => facilitator.verify(paymentPayload, paymentRequirements),
    settle: (paymentPayload, paymentRequirements) => facilitator.settle(paymentPayload, paymentRequirements),
    getSupported: async () => facilitator.getSupported(),
  };
}
