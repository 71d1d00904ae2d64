using System.ComponentModel.DataAnnotations;
using ValidationResult = System.ComponentModel.DataAnnotations.ValidationResult;

namespace Orchestrator.Workflow.X402;

/// <summary>
/// Paying x402 sellers (<c>X402:*</c>): which networks and tokens may be paid, what one budget unit is worth in the
/// token's atomic units, and the wallet's key. The key is a secret: it is never part of a message, a log line or an
/// error (this class's <see cref="ToString"/> and every validation message leave it out).
/// </summary>
public sealed class X402Options : IValidatableObject
{
    public const string Section = "X402";

    /// <summary>USDC on Base (eip155:8453).</summary>
    public const string UsdcOnBase = "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913";

    /// <summary>USDC on Base Sepolia (eip155:84532).</summary>
    public const string UsdcOnBaseSepolia = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";

    /// <summary>CAIP-2 networks that may be paid on, comma-separated (<c>eip155:&lt;chain id&gt;</c>).</summary>
    [Required]
    public string Networks { get; set; } = "eip155:8453,eip155:84532";

    /// <summary>Token contracts that may be paid with, comma-separated (USDC on Base and Base Sepolia by default).</summary>
    [Required]
    public string Assets { get; set; } = $"{UsdcOnBase},{UsdcOnBaseSepolia}";

    /// <summary>A token's atomic units per budget unit: 1,000,000 makes one budget unit one USDC (6 decimals).</summary>
    [Range(1L, long.MaxValue)]
    public long AtomicUnitsPerBudgetUnit { get; set; } = 1_000_000;

    /// <summary>The wallet's secp256k1 private key, 32 bytes in hex (with or without 0x); unset: no x402 payments.</summary>
    public string? PrivateKey { get; set; }

    public IReadOnlyList<string> NetworkList => Split(Networks);

    public IReadOnlyList<string> AssetList => Split(Assets);

    public bool HasWallet => !string.IsNullOrWhiteSpace(PrivateKey);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NetworkList.Count == 0)
            yield return new ValidationResult($"{Section}:Networks names no network", [nameof(Networks)]);
        foreach (var network in NetworkList.Where(n => !Caip2.TryChainId(n, out _)))
            yield return new ValidationResult($"{Section}:Networks: '{network}' is not an eip155:<chain id> network", [nameof(Networks)]);
        if (AssetList.Count == 0)
            yield return new ValidationResult($"{Section}:Assets names no token", [nameof(Assets)]);
        foreach (var asset in AssetList.Where(a => !EvmAddress.IsValid(a)))
            yield return new ValidationResult($"{Section}:Assets: '{asset}' is not a 0x address of 20 bytes", [nameof(Assets)]);
        if (HasWallet && !LocalKeySigner.IsValidKey(PrivateKey!))
            // Says what is wrong with the key, never what it is.
            yield return new ValidationResult($"{Section}:PrivateKey must be 32 bytes in hex (64 hex digits, 0x optional) and a valid secp256k1 key", [nameof(PrivateKey)]);
    }

    public override string ToString() =>
        $"{Section} (Networks={Networks}, Assets={Assets}, AtomicUnitsPerBudgetUnit={AtomicUnitsPerBudgetUnit}, PrivateKey={(HasWallet ? "set" : "unset")})";

    static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
