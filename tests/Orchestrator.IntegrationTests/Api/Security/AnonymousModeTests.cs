namespace Orchestrator.IntegrationTests.Api.Security;

/// <summary>Without identities the Api serves only its own machine, unless told otherwise.</summary>
public sealed class AnonymousModeTests
{
    [Fact]
    public async Task The_anonymous_Api_refuses_to_start_on_every_address_and_says_why()
    {
        var (exitCode, output) = await HostProcess.RunApiUntilExitAsync(new Dictionary<string, string> { ["Urls"] = "http://0.0.0.0:0" });

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Refusing to start", output, StringComparison.Ordinal);
        Assert.Contains("Auth:AllowAnonymous=true", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", output, StringComparison.Ordinal);
    }
}
