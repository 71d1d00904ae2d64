using System.Text.Json;

namespace Orchestrator.Workflow.X402;

/// <summary>A settled payment's receipt: the transaction, the network it is on and the payer, as the seller reported them.</summary>
public sealed record X402Receipt(string Transaction, string Network, string? Payer);

/// <summary>
/// Reads <c>PAYMENT-RESPONSE</c> (v1: <c>X-PAYMENT-RESPONSE</c>): base64 JSON of a <c>SettleResponse</c>. Bounded and
/// safe on any input: a missing, oversized, malformed or unsuccessful one gives null and the reason.
/// </summary>
public static class PaymentResponseDecoder
{
    /// <summary>The longest header read (characters of base64).</summary>
    public const int MaxHeaderLength = 8 * 1024;

    /// <summary>A transaction reference is kept up to this length (an EVM hash is 66).</summary>
    public const int MaxTransactionLength = 128;

    public static X402Receipt? Decode(HttpResponseMessage response, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(response);
        foreach (var name in (string[])[X402Headers.PaymentResponse, X402Headers.PaymentResponseV1])
        {
            if (!response.Headers.TryGetValues(name, out var values))
                continue;
            var headers = values.Take(2).ToList();
            if (headers.Count > 1)
            {
                reason = $"more than one {name} header";
                return null;
            }

            return Decode(headers[0], out reason);
        }

        reason = "no PAYMENT-RESPONSE header";
        return null;
    }

    public static X402Receipt? Decode(string? header, out string? reason)
    {
        reason = Check(header, out var settle);
        return reason is null ? new X402Receipt(settle!.Transaction!, settle.Network!, EvmAddress.IsValid(settle.Payer) ? settle.Payer : null) : null;
    }

    static string? Check(string? header, out SettleResponse? settle)
    {
        settle = null;
        if (string.IsNullOrEmpty(header))
            return "no PAYMENT-RESPONSE header";
        if (header.Length > MaxHeaderLength)
            return $"PAYMENT-RESPONSE over {MaxHeaderLength} characters";
        if (!Base64.TryDecode(header, out var json))
            return "PAYMENT-RESPONSE is not base64";
        try
        {
            settle = JsonSerializer.Deserialize(json, X402JsonContext.Default.SettleResponse);
        }
        catch (JsonException)
        {
            return "PAYMENT-RESPONSE is not a settlement";
        }

        if (settle is null)
            return "PAYMENT-RESPONSE is not a settlement";
        if (!settle.Success)
            return "PAYMENT-RESPONSE reports no settlement";
        if (settle.Transaction is not { Length: > 0 and <= MaxTransactionLength } transaction || !IsPrintableAscii(transaction))
            return "PAYMENT-RESPONSE has no usable transaction";
        if (settle.Network is not { Length: > 0 and <= 64 } network || !IsPrintableAscii(network))
            return "PAYMENT-RESPONSE has no usable network";
        return null;
    }

    static bool IsPrintableAscii(string text) => text.All(c => c is > ' ' and < '\u007f');
}
