namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>Every HTML answer of the Api forbids another site to frame it (clickjacking) by its content security policy.</summary>
public sealed class HtmlAnswersTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/tasks/3f2c0000-0000-0000-0000-000000000000/view")]
    [InlineData("/index.html")]
    [InlineData("/openapi")]
    public async Task Every_page_forbids_framing_by_another_site(string path)
    {
        using var response = await api.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.TryGetValues("Content-Security-Policy", out var policies), $"{path} has no content security policy");
        Assert.Contains("frame-ancestors 'none'", string.Join(", ", policies), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_viewer_runs_only_its_own_inline_scripts_and_scripts_from_this_origin()
    {
        using var response = await api.CreateClient().GetAsync("/openapi");

        var policy = string.Join(", ", response.Headers.GetValues("Content-Security-Policy"));
        var scripts = policy.Split(';').Select(directive => directive.Trim()).Single(directive => directive.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe", scripts, StringComparison.Ordinal);
        Assert.Contains("'self' 'sha256-", scripts, StringComparison.Ordinal);
    }
}
