using System.Text;
using System.Text.Json;
using Orchestrator.Workflow.Marketplace;

namespace Orchestrator.Workflow.X402;

/// <summary>Which 402 a seller answered.</summary>
public enum X402Dialect
{
    /// <summary>Not x402 (no <c>PAYMENT-REQUIRED</c> header, no <c>x402Version</c> in the body): the seed's <c>{price}</c> dialect.</summary>
    NotX402,

    /// <summary>x402 v1: the 402's JSON body, <c>x402Version: 1</c> and <c>accepts</c>.</summary>
    V1,

    /// <summary>x402 v2: the 402's <c>PAYMENT-REQUIRED</c> header, base64 JSON with <c>x402Version: 2</c>.</summary>
    V2,

    /// <summary>An x402 answer that cannot be used (malformed, too large, another version): see <see cref="X402Challenge.Reason"/>.</summary>
    Invalid,
}

/// <summary>
/// What a 402 asks for. <see cref="Accepts"/> are the seller's entries as it sent them (checked by
/// <see cref="X402Quoter"/>, echoed in the payment); <see cref="Resource"/> and <see cref="Extensions"/> are v2's.
/// <see cref="Error"/> is the seller's own <c>error</c>, as clean text: after a payment was sent it says why it was
/// refused (@x402/evm: <c>invalid_exact_evm_nonce_already_used</c> when that authorization was settled before).
/// </summary>
public sealed record X402Challenge(
    X402Dialect Dialect,
    IReadOnlyList<JsonElement> Accepts,
    JsonElement? Resource = null,
    JsonElement? Extensions = null,
    string? Reason = null,
    string? Error = null)
{
    public static X402Challenge NotX402 { get; } = new(X402Dialect.NotX402, []);

    public static X402Challenge Invalid(string reason) => new(X402Dialect.Invalid, [], Reason: reason);
}

/// <summary>
/// Tells a 402's dialect and reads its x402 payment requirements. Everything in the answer is untrusted: the header
/// and body are bounded, the JSON depth too, and no input makes it throw; a broken x402 answer gives
/// <see cref="X402Dialect.Invalid"/> with the reason.
/// </summary>
public static class PaymentRequiredParser
{
    /// <summary>The longest <c>PAYMENT-REQUIRED</c> header read (characters of base64).</summary>
    public const int MaxHeaderLength = 16 * 1024;

    /// <summary>The largest body read for x402 v1.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>At most this many <c>accepts</c> entries are considered; an answer with more is refused.</summary>
    public const int MaxAccepts = 16;

    /// <summary>The seller's <c>error</c> is kept up to this length.</summary>
    public const int MaxErrorLength = 200;

    static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <summary>Reads a 402 from its headers and its body (already read, and capped, by the HTTP client).</summary>
    public static X402Challenge Parse(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Parse(response.Headers, body);
    }

    /// <summary>Reads a 402 the generated (Refit) client received: its headers, and the body it kept with the error.</summary>
    public static X402Challenge Parse(Refit.IApiResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Parse(response.Headers, Encoding.UTF8.GetBytes((response.Error as Refit.ApiException)?.Content ?? ""));
    }

    static X402Challenge Parse(System.Net.Http.Headers.HttpResponseHeaders? headers, ReadOnlySpan<byte> body)
    {
        if (headers is null || !headers.TryGetValues(X402Headers.PaymentRequired, out var values))
            return Parse((string?)null, body);
        var found = values.Take(2).ToList();
        return found.Count == 1 ? Parse(found[0], body) : X402Challenge.Invalid("more than one PAYMENT-REQUIRED header");
    }

    /// <summary>Reads a 402 from its <c>PAYMENT-REQUIRED</c> header value (null when absent) and its body.</summary>
    public static X402Challenge Parse(string? paymentRequiredHeader, ReadOnlySpan<byte> body)
    {
        try
        {
            return paymentRequiredHeader is not null ? ParseHeader(paymentRequiredHeader) : ParseBody(body);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or DecoderFallbackException)
        {
            // Defence in depth: the checks below should leave nothing to throw, but a hostile answer is never an error of ours.
            return X402Challenge.Invalid($"unreadable x402 answer ({e.GetType().Name})");
        }
    }

    static X402Challenge ParseHeader(string header)
    {
        if (header.Length == 0)
            return X402Challenge.Invalid("empty PAYMENT-REQUIRED header");
        if (header.Length > MaxHeaderLength)
            return X402Challenge.Invalid($"PAYMENT-REQUIRED header over {MaxHeaderLength} characters");
        if (!Base64.TryDecode(header, out var json))
            return X402Challenge.Invalid("PAYMENT-REQUIRED is not base64");
        if (!TryParseObject(json, out var document))
            return X402Challenge.Invalid("PAYMENT-REQUIRED is not a JSON object");
        using (document)
        {
            var root = document.RootElement;
            if (Version(root) is not 2)
                return X402Challenge.Invalid("PAYMENT-REQUIRED is not x402 version 2");
            if (Accepts(root) is not { } accepts)
                return X402Challenge.Invalid($"PAYMENT-REQUIRED has no accepts (an array of 1 to {MaxAccepts} objects)");
            return new X402Challenge(X402Dialect.V2, accepts,
                Member(root, "resource", JsonValueKind.Object),
                Member(root, "extensions", JsonValueKind.Object),
                Error: ErrorOf(root));
        }
    }

    static X402Challenge ParseBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.Length > MaxBodyBytes || !TryParseObject(body, out var document))
            return X402Challenge.NotX402;
        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("x402Version", out _))
                return X402Challenge.NotX402;
            if (Version(root) is not 1)
                return X402Challenge.Invalid("a 402 body of an x402 version other than 1 (v2 comes in the PAYMENT-REQUIRED header)");
            if (Accepts(root) is not { } accepts)
                return X402Challenge.Invalid($"x402 v1 body has no accepts (an array of 1 to {MaxAccepts} objects)");
            return new X402Challenge(X402Dialect.V1, accepts, Error: ErrorOf(root));
        }
    }

    static bool TryParseObject(ReadOnlySpan<byte> json, out JsonDocument document)
    {
        document = null!;
        // Strict UTF-8: a malformed sequence anywhere (the reader checks string values, not property names) is refused.
        if (!System.Text.Unicode.Utf8.IsValid(json))
            return false;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
            if (!JsonDocument.TryParseValue(ref reader, out var parsed) || parsed is null)
                return false;
            if (parsed.RootElement.ValueKind != JsonValueKind.Object || reader.BytesConsumed != json.Length && HasMore(json[(int)reader.BytesConsumed..]))
            {
                parsed.Dispose();
                return false;
            }

            document = parsed;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static bool HasMore(ReadOnlySpan<byte> rest) => rest.IndexOfAnyExcept(" \t\r\n"u8) >= 0;

    static int? Version(JsonElement root) =>
        root.TryGetProperty("x402Version", out var version) && version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var value) ? value : null;

    static List<JsonElement>? Accepts(JsonElement root)
    {
        if (!root.TryGetProperty("accepts", out var accepts) || accepts.ValueKind != JsonValueKind.Array)
            return null;
        var count = accepts.GetArrayLength();
        if (count is 0 or > MaxAccepts)
            return null;
        var entries = new List<JsonElement>(count);
        foreach (var entry in accepts.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object)
                return null;
            entries.Add(entry.Clone());
        }

        return entries;
    }

    static string? ErrorOf(JsonElement root) =>
        Member(root, "error", JsonValueKind.String) is { } error && UntrustedText.Clean(error.GetString(), MaxErrorLength) is { Length: > 0 } clean ? clean : null;

    static JsonElement? Member(JsonElement root, string name, JsonValueKind kind) =>
        root.TryGetProperty(name, out var member) && member.ValueKind == kind ? member.Clone() : null;
}

/// <summary>The base64 of the x402 headers: the standard alphabet, padding optional.</summary>
internal static class Base64
{
    public static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.AsSpan().IndexOfAnyExcept(Alphabet) >= 0)
            return false;
        var unpadded = text.TrimEnd('=');
        if (text.Length - unpadded.Length > 2 || unpadded.Length % 4 == 1)
            return false;
        var padded = unpadded.PadRight(unpadded.Length + (4 - unpadded.Length % 4) % 4, '=');
        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
            return false;
        bytes = buffer[..written];
        return true;
    }

    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes);

    static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
}
