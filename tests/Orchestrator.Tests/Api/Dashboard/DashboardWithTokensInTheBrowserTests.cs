using System.Collections.Concurrent;
using Microsoft.Playwright;
using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>
/// The dashboard under <c>Auth:Mode=Jwt</c>: the page asks for a token, keeps it in the tab and sends it as a header,
/// so it still streams (an <c>EventSource</c> could not) and no token ever appears in a URL.
/// </summary>
public sealed class DashboardWithTokensInTheBrowserTests(JwtBrowserSession browser) : IClassFixture<JwtBrowserSession>
{
    [Fact]
    public async Task With_a_token_the_form_the_task_list_and_the_live_view_work_and_no_URL_carries_the_token()
    {
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        var token = browser.TokenFor("alice");
        // Raised on Playwright's thread while the test reads it.
        var urls = new ConcurrentQueue<string>();
        page.Request += (_, request) => urls.Enqueue(request.Url);

        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByLabel("Bearer token (kept in this tab only)")).ToBeVisibleAsync();
        await page.GetByLabel("Bearer token (kept in this tab only)").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use token" }).ClickAsync();
        await page.StartResearchAsync("Electric vehicle market share", "25", "voice_alice");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#audit tbody tr").First).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "All tasks" }).ClickAsync();
        await Assertions.Expect(page.Locator("#tasks tbody tr").Filter(new() { HasText = "Electric vehicle market share" })).ToContainTextAsync("Completed");
        Assert.DoesNotContain(urls, url => url.Contains(token, StringComparison.Ordinal) || url.Contains("voice_alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_token_the_view_says_so_instead_of_showing_anything()
    {
        using var alice = browser.Api.ClientFor("alice");
        var taskId = await alice.SubmitAsync("Renewable energy investment", budget: 10);
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/tasks/{taskId}/view");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("HTTP 401");
        await Assertions.Expect(page.GetByLabel("Bearer token (kept in this tab only)")).ToBeVisibleAsync();
        Assert.Equal("Research task", await page.Locator("h1").TextContentAsync());
    }
}
