using System.Collections.Concurrent;
using Microsoft.Playwright;
using Orchestrator.Tests.Api.Dashboard;

namespace Orchestrator.Tests.Api.ApiDescription;

/// <summary>The API viewer at <c>/openapi</c> (Scalar, served by the Api itself) in Debian's Chromium.</summary>
public sealed class ApiViewerInTheBrowserTests(BrowserSession browser) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Shows_the_operations_of_the_served_document()
    {
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        // Both are raised on Playwright's thread while the test reads them.
        var elsewhere = new ConcurrentQueue<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(browser.BaseAddress.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
                elsewhere.Enqueue(request.Url);
        };

        var refused = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                refused.Enqueue(message.Text);
        };

        var answer = await page.GotoAsync("/openapi");

        Assert.Equal(200, answer!.Status);
        Assert.Contains("frame-ancestors 'none'", (await answer.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await Assertions.Expect(page.GetByText("Research Task Orchestrator").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByText("Create a research task; it runs in the background").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Empty(elsewhere);
        Assert.Empty(refused);
        Directory.CreateDirectory(BrowserSession.Artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserSession.Artifacts, "api-viewer.png") });
    }
}
