using System.ComponentModel.DataAnnotations;

namespace Orchestrator.Api.Security;

public enum AuthMode
{
    /// <summary>No identity: every caller is <c>anonymous</c>; allowed beyond loopback only with <c>Auth:AllowAnonymous</c>.</summary>
    None,

    /// <summary>JWT bearer tokens: the owner of a task is the token's <c>sub</c>.</summary>
    Jwt,
}

/// <summary>Who may call the Api (<c>Auth:*</c>).</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";
    public const string SubjectClaim = "sub";
    public const string RoleClaim = "role";
    public const int MinSigningKeyBytes = 32;

    public AuthMode Mode { get; set; } = AuthMode.None;

    /// <summary>With <see cref="AuthMode.None"/>: listening beyond loopback is refused unless this says so.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>An OpenID Connect issuer: keys come from its discovery document.</summary>
    public Uri? Authority { get; set; }

    /// <summary>For development and tests: an HS256 shared secret of at least 32 bytes (UTF-8).</summary>
    public string? SigningKey { get; set; }

    /// <summary>The tokens' <c>iss</c>; with a signing key, defaults to <c>orchestrator</c>.</summary>
    public string? Issuer { get; set; }

    [Required]
    public string Audience { get; set; } = "orchestrator";

    public string EffectiveIssuer => Issuer ?? "orchestrator";

    /// <summary>Whether callers other than the local user can reach the Api: the abuse limits are on by default then.</summary>
    public bool OpenToOthers => Mode == AuthMode.Jwt || AllowAnonymous;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode != AuthMode.Jwt)
            yield break;
        if (Authority is null && string.IsNullOrEmpty(SigningKey))
            yield return new ValidationResult("Auth:Mode=Jwt needs Auth:Authority (an OpenID Connect issuer) or Auth:SigningKey (HS256, at least 32 bytes)");
        if (SigningKey is { } key && System.Text.Encoding.UTF8.GetByteCount(key) < MinSigningKeyBytes)
            yield return new ValidationResult($"Auth:SigningKey must be at least {MinSigningKeyBytes} bytes");
    }
}
