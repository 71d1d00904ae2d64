using System.Globalization;
using System.Numerics;

namespace Orchestrator.Workflow.X402;

/// <summary>CAIP-2 EVM network ids: <c>eip155:&lt;chain id&gt;</c>, the chain id a positive decimal integer.</summary>
public static class Caip2
{
    const string Prefix = "eip155:";

    /// <summary>The chain id of <paramref name="network"/>, or false when it is not an EVM network written exactly so.</summary>
    public static bool TryChainId(string? network, out long chainId)
    {
        chainId = 0;
        if (network is null || !network.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        var digits = network.AsSpan(Prefix.Length);
        // Digits only (no sign, no spaces), no leading zero, and a chain id a 64-bit integer holds.
        return digits.Length is > 0 and <= 18 && digits[0] != '0' && digits.IndexOfAnyExceptInRange('0', '9') < 0
            && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out chainId);
    }
}

/// <summary>EVM addresses: 0x and 40 hex digits.</summary>
public static class EvmAddress
{
    public static bool IsValid(string? address) =>
        address is { Length: 42 } && address.StartsWith("0x", StringComparison.Ordinal) && IsHex(address.AsSpan(2));

    /// <summary>Whether <paramref name="text"/> is hex digits only (and not empty).</summary>
    public static bool IsHex(ReadOnlySpan<char> text) => !text.IsEmpty && text.IndexOfAnyExcept(HexDigits) < 0;

    /// <summary>Whether two valid addresses are the same account (hex digits compared without case).</summary>
    public static bool AreSame(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}

/// <summary>A token amount in atomic units, written as the wire writes it: a decimal string of a uint256.</summary>
public static class AtomicAmount
{
    /// <summary>2^256 - 1, the largest uint256.</summary>
    public static readonly BigInteger MaxUInt256 = (BigInteger.One << 256) - 1;

    /// <summary>
    /// Reads a positive amount: decimal digits only (no sign, exponent, fraction, spaces or leading zero), at most
    /// 78 of them (uint256), and not above <see cref="MaxUInt256"/>.
    /// </summary>
    public static bool TryParse(string? text, out BigInteger amount)
    {
        amount = BigInteger.Zero;
        if (text is not { Length: > 0 and <= 78 } || text[0] == '0' || text.AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0)
            return false;
        amount = BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return amount <= MaxUInt256;
    }

    public static string Format(BigInteger amount) => amount.ToString(CultureInfo.InvariantCulture);
}
