using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Orchestrator.Api.Security;

/// <summary>
/// <c>dotnet run --project Orchestrator.Api -- token --sub alice [--role admin] [--minutes 60]</c>: prints an HS256
/// token signed with <c>Auth:SigningKey</c>, for development and tests, with the configured issuer and audience.
/// </summary>
public static class DevelopmentTokens
{
    public static string Create(AuthOptions auth, string subject, string? role = null, TimeSpan? lifetime = null, DateTime? now = null)
    {
        if (string.IsNullOrEmpty(auth.SigningKey))
            throw new InvalidOperationException("Auth:SigningKey is not set: tokens of an OpenID Connect issuer come from that issuer");

        var issuedAt = now ?? DateTime.UtcNow;
        var claims = new Dictionary<string, object> { [AuthOptions.SubjectClaim] = subject };
        if (role is not null)
            claims[AuthOptions.RoleClaim] = role;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.EffectiveIssuer,
            Audience = auth.Audience,
            Claims = claims,
            IssuedAt = issuedAt,
            NotBefore = issuedAt,
            Expires = issuedAt + (lifetime ?? TimeSpan.FromHours(1)),
            SigningCredentials = new SigningCredentials(SigningKey(auth), SecurityAlgorithms.HmacSha256),
        });
    }

    public static SymmetricSecurityKey SigningKey(AuthOptions auth) => new(Encoding.UTF8.GetBytes(auth.SigningKey!));

    /// <summary>Runs the <c>token</c> command when <paramref name="args"/> asks for it; false otherwise.</summary>
    public static bool TryRun(IHostApplicationBuilder builder, string[] args)
    {
        if (args is not ["token", .. var options])
            return false;

        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new();
        string? Option(string name) => options.SkipWhile(o => o != name).Skip(1).FirstOrDefault();
        var minutes = double.TryParse(Option("--minutes"), System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 60;
        Console.WriteLine(Create(auth, Option("--sub") ?? Environment.UserName, Option("--role"), TimeSpan.FromMinutes(minutes)));
        return true;
    }
}
