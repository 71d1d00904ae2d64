using Microsoft.AspNetCore.Hosting;
using Orchestrator.Api.Security;

namespace Orchestrator.Tests.Api;

/// <summary>The Api with <c>Auth:Mode=Jwt</c> and a test signing key; <see cref="TokenFor"/> signs a caller's token.</summary>
public class JwtApiFactory : ApiFactory
{
    public AuthOptions Auth { get; } = new() { Mode = AuthMode.Jwt, SigningKey = "a-test-signing-key-of-at-least-32-bytes!" };

    public string TokenFor(string subject) => DevelopmentTokens.Create(Auth, subject);

    public HttpClient ClientFor(string subject)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", TokenFor(subject));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:Mode", "Jwt");
        builder.UseSetting("Auth:SigningKey", Auth.SigningKey);
    }
}
