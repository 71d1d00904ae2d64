using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>
/// <c>Auth:Mode=Jwt</c> with <c>Approval:Threshold=5</c>, and reuse of an owner's earlier purchases on (7 days), as it
/// is by default: each test has its own owner, so that none reuses what another bought.
/// </summary>
public sealed class SpendingJwtApiFactory : JwtApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Approval:Threshold", ApprovalApiFactory.Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Purchases:ReuseFor", "7.00:00:00");
    }
}

public sealed class SpendingJwtBrowserSession() : BrowserSession(new SpendingJwtApiFactory())
{
    public new SpendingJwtApiFactory Api => (SpendingJwtApiFactory)base.Api;
}

/// <summary>The spending controls in the dashboard under tokens: the decision is sent with the tab's token, and reused items are shown apart.</summary>
public sealed class DashboardSpendingWithTokensInTheBrowserTests(SpendingJwtBrowserSession browser) : IClassFixture<SpendingJwtBrowserSession>
{
    const string TokenLabel = "Bearer token (kept in this tab only)";

    [Fact]
    public async Task Approve_sends_the_tabs_token_and_another_owner_sees_neither_the_task_nor_its_buttons()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var token = browser.Api.TokenFor("alice");
        // Raised on Playwright's thread while the test reads it.
        var requests = new ConcurrentQueue<IRequest>();
        page.Request += (_, request) => requests.Enqueue(request);

        await page.GotoAsync("/");
        await page.GetByLabel(TokenLabel).FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use token" }).ClickAsync();
        var taskId = await page.StartResearchAsync("Electric vehicle market share", "25", "voice_alice");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("AwaitingApproval", new() { Timeout = 30_000 });

        // Another owner's tab: the task is not found, and nothing offers to decide on it.
        await using (var bobs = await NewContextAsync())
        {
            var bob = await bobs.NewPageAsync();
            await bob.GotoAsync($"/tasks/{taskId}/view");
            await bob.GetByLabel(TokenLabel).FillAsync(browser.Api.TokenFor("bob"));
            await bob.GetByRole(AriaRole.Button, new() { Name = "Use token" }).ClickAsync();
            await Assertions.Expect(bob.Locator("#status")).ToHaveTextAsync("Not found");
            await Assertions.Expect(bob.Locator("#approval-section")).ToBeHiddenAsync();
            Assert.Equal(0, await bob.GetByRole(AriaRole.Button, new() { Name = "Approve" }).CountAsync());
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Assertions.Expect(page.Locator("#approval-decision")).ToHaveTextAsync("Approved by alice.", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        var approve = Assert.Single(requests, r => r.Method == "POST" && r.Url.EndsWith($"/tasks/{taskId}/approve", StringComparison.Ordinal));
        Assert.Equal($"Bearer {token}", (await approve.AllHeadersAsync())["authorization"]);
        Assert.DoesNotContain(requests, r => r.Url.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Items_the_owner_bought_before_show_as_Reused_with_the_task_that_paid_and_cost_nothing()
    {
        using var carol = browser.Api.ClientFor("carol");
        var first = await carol.SubmitAsync("Tesla Inc financial performance 2023", budget: 30);
        await WaitForStatusAsync(carol, first, "AwaitingApproval");
        using (var approved = await carol.PostAsync($"/tasks/{first}/approve", null))
            Assert.Equal(HttpStatusCode.Accepted, approved.StatusCode);
        await WaitForStatusAsync(carol, first, "Completed");
        var bought = JsonNode.Parse(await carol.GetStringAsync($"/tasks/{first}"))!["plan"]!.AsArray()
            .Count(p => p!["status"]!.GetValue<string>() == "Fetched");
        Assert.True(bought > 0);

        // The same theme again, with a budget that buys nothing new: what carol owns is reused, and no approval is asked.
        var second = await carol.SubmitAsync("Tesla Inc financial performance 2023", budget: 10);
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/tasks/{second}/view");
        await page.GetByLabel(TokenLabel).FillAsync(browser.Api.TokenFor("carol"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Use token" }).ClickAsync();

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        var reused = page.Locator("#plan tbody tr.reused");
        await Assertions.Expect(reused).ToHaveCountAsync(bought);
        await Assertions.Expect(reused.Locator(".badge.Reused")).ToHaveCountAsync(bought);
        await Assertions.Expect(reused.Locator($"a[href='/tasks/{first}/view']")).ToHaveCountAsync(bought);
        await Assertions.Expect(page.Locator("#plan-total")).ToContainTextAsync($"{bought} of them already owned");
        await Assertions.Expect(page.Locator("#receipts tbody tr")).ToHaveCountAsync(bought, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#receipts tbody tr").Filter(new() { HasText = "0 (reused)" })).ToHaveCountAsync(bought);
        await Assertions.Expect(page.Locator("#approval-section")).ToBeHiddenAsync();
        Assert.Equal("0", await page.Locator("#spent").TextContentAsync());
    }

    Task<IBrowserContext> NewContextAsync() =>
        browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });

    static async Task WaitForStatusAsync(HttpClient client, string taskId, string status)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        string? now = null;
        while (DateTime.UtcNow < until)
        {
            now = JsonNode.Parse(await client.GetStringAsync($"/tasks/{taskId}"))!["status"]!.GetValue<string>();
            if (now == status)
                return;
            await Task.Delay(100);
        }

        Assert.Fail($"Task {taskId} is {now}, not {status}, after 30 s");
    }
}
