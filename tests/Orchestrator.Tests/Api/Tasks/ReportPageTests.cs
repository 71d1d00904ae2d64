using Microsoft.AspNetCore.Http;
using Orchestrator.Api.Tasks;

namespace Orchestrator.Tests.Api.Tasks;

public sealed class ReportPageTests
{
    [Theory]
    [InlineData("[click](javascript:alert(1))", "click")]
    [InlineData("[click](JaVaScRiPt:alert(1))", "click")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD4=)", "click")]
    [InlineData("[click](vbscript:msgbox)", "click")]
    [InlineData("[**bold**](javascript:alert(1))", "<strong>bold</strong>")]
    [InlineData("[ref]\n\n[ref]: javascript:alert(1)", "ref")]
    [InlineData("<javascript:alert(1)>", "javascript:alert(1)")]
    [InlineData("[relative](/tasks)", "relative")]
    public void Renders_a_link_to_anything_but_http_https_or_mailto_as_its_text(string markdown, string text)
    {
        var html = ReportPage.Render("theme", markdown);

        Assert.DoesNotContain("<a ", html, StringComparison.Ordinal);
        Assert.DoesNotContain("href", html, StringComparison.Ordinal);
        Assert.Contains(text, html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[site](https://example.com/a)", "https://example.com/a")]
    [InlineData("[site](http://example.com/a)", "http://example.com/a")]
    [InlineData("<https://example.com/b>", "https://example.com/b")]
    [InlineData("[mail](mailto:research@example.com)", "mailto:research@example.com")]
    [InlineData("<research@example.com>", "mailto:research@example.com")]
    public void Keeps_links_to_http_https_and_mailto(string markdown, string href)
    {
        var html = ReportPage.Render("theme", markdown);

        Assert.Contains($"href=\"{href}\"", html, StringComparison.Ordinal);
        Assert.Contains("rel=\"nofollow noopener noreferrer\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Shows_images_as_their_text_and_raw_HTML_as_text()
    {
        var html = ReportPage.Render("<script>alert('theme')</script>",
            "![pixel](https://tracker.example/p.png) <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n<iframe src=\"https://example.com\"></iframe>");

        Assert.All(["<img", "<script", "<iframe"], tag => Assert.DoesNotContain(tag, html, StringComparison.Ordinal));
        Assert.Contains("pixel", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Its_endpoint_filter_sets_a_policy_that_loads_and_runs_nothing_and_forbids_sniffing_and_framing()
    {
        var context = new DefaultHttpContext();
        var invocation = EndpointFilterInvocationContext.Create(context);

        await ReportPage.WithSecurityHeaders(invocation, _ => ValueTask.FromResult<object?>(null));

        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'", context.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", context.Response.Headers.XContentTypeOptions.ToString());
    }
}
