using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Playwright;
using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>The Api with <c>Approval:Threshold=5</c>: every plan the simulated marketplace allows costs more, so each task waits for a decision.</summary>
public sealed class ApprovalApiFactory : ApiFactory
{
    public const long Threshold = 5;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Approval:Threshold", Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

public sealed class ApprovalBrowserSession() : BrowserSession(new ApprovalApiFactory());

/// <summary>
/// A plan above the approval threshold in the dashboard: the task's view shows the plan, its total against the
/// threshold and until when it waits, with Approve and Reject; the decision replaces the buttons and the task goes on
/// (or ends Cancelled) live.
/// </summary>
public sealed class DashboardApprovalInTheBrowserTests(ApprovalBrowserSession browser) : IClassFixture<ApprovalBrowserSession>
{
    [Fact]
    public async Task A_task_waiting_for_approval_shows_its_plan_and_once_approved_goes_on_to_Completed_with_its_receipts()
    {
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);

        await page.GotoAsync("/");
        var taskId = await page.StartResearchAsync("Tesla Inc financial performance 2023", "30", "user_voice_123");

        // Waiting: the plan, what it costs against the threshold, until when, and the two buttons; nothing spent.
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("AwaitingApproval", new() { Timeout = 30_000 });
        var approval = (await TaskAsync(taskId))["approval"]!;
        var total = approval["total"]!.GetValue<long>();
        Assert.True(total > ApprovalApiFactory.Threshold);
        Assert.Null(approval["decision"]);
        await Assertions.Expect(page.Locator("#approval-summary")).ToHaveTextAsync($"The plan costs {total}, above the approval threshold of {ApprovalApiFactory.Threshold}: nothing is paid before it is approved.");
        await Assertions.Expect(page.Locator("#approval-expiry time")).ToHaveAttributeAsync("datetime", approval["expires_at"]!.GetValue<string>());
        var planned = page.Locator("#plan tbody tr").Filter(new() { HasText = "Planned" });
        Assert.True(await planned.CountAsync() > 0);
        var plannedPrices = 0L;
        foreach (var price in await planned.Locator("td:nth-child(3)").AllTextContentsAsync())
            plannedPrices += long.Parse(price, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(total, plannedPrices);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reject" })).ToBeVisibleAsync();
        Assert.Equal("0", await page.Locator("#spent").TextContentAsync());
        Directory.CreateDirectory(BrowserSession.Artifacts);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserSession.Artifacts, "task-view-awaiting-approval.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Assertions.Expect(page.Locator("#approval-decision")).ToHaveTextAsync(new Regex("^Approved by .+\\.$"), new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#approval-actions")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#timeline li").Filter(new() { HasText = "AwaitingPayment (from AwaitingApproval)" })).ToHaveCountAsync(1);
        var task = await TaskAsync(taskId);
        Assert.Equal("Approved", task["approval"]!["decision"]!.GetValue<string>());
        Assert.True(task["spent"]!.GetValue<long>() > 0);

        // A receipt per item paid for: its reference, and the digest of the data shortened, whole in its title.
        var receipts = JsonNode.Parse(await browser.Client.GetStringAsync($"/tasks/{taskId}/receipts"))!.AsArray();
        Assert.NotEmpty(receipts);
        await Assertions.Expect(page.Locator("#receipts tbody tr")).ToHaveCountAsync(receipts.Count, new() { Timeout = 10_000 });
        var first = receipts[0]!;
        var row = page.Locator("#receipts tbody tr").First;
        await Assertions.Expect(row.Locator("td").First).ToHaveTextAsync(first["item"]!.ToJsonString());
        if (first["data_sha256"]?.GetValue<string>() is { } sha)
        {
            await Assertions.Expect(row.Locator("code")).ToHaveTextAsync($"{sha[..12]}…");
            await Assertions.Expect(row.Locator("code")).ToHaveAttributeAsync("title", sha);
        }

        Assert.Empty(scriptErrors);
        await page.SetViewportSizeAsync(1100, await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserSession.Artifacts, "task-view-approved.png") });
    }

    [Fact]
    public async Task A_rejected_plan_ends_the_task_Cancelled_saying_who_rejected_it_and_nothing_is_paid()
    {
        var taskId = await browser.Client.SubmitAsync("Renewable energy investment", budget: 25);
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync($"/tasks/{taskId}/view");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("AwaitingApproval", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#approval-section")).ToContainTextAsync($"above the approval threshold of {ApprovalApiFactory.Threshold}");
        // At phone width too the buttons fit the screen.
        await page.SetViewportSizeAsync(375, 740);
        var reject = await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).BoundingBoxAsync();
        Assert.True(reject is { } box && box.X + box.Width <= 375, "the Reject button is off the screen at 375 px");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the view scrolls sideways at 375 px");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Cancelled", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("rejected by");
        await Assertions.Expect(page.Locator("#approval-decision")).ToHaveTextAsync(new Regex("^Rejected by .+\\.$"));
        await Assertions.Expect(page.Locator("#approval-actions")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#receipts-status")).ToHaveTextAsync("No receipts: nothing was bought.", new() { Timeout = 10_000 });
        Assert.Equal("0", await page.Locator("#spent").TextContentAsync());

        // The decision is made once: the same page read again offers no buttons, and the route refuses a second one.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Cancelled", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#approval-decision")).ToHaveTextAsync(new Regex("^Rejected by "));
        await Assertions.Expect(page.Locator("#approval-actions")).ToBeHiddenAsync();
        using var again = await browser.Client.PostAsync($"/tasks/{taskId}/approve", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_task_cancelled_elsewhere_while_it_waits_takes_the_buttons_away_and_says_nobody_approved_it()
    {
        var taskId = await browser.Client.SubmitAsync("Blockchain adoption in finance", budget: 25);
        await using var context = await NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/tasks/{taskId}/view");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync(new() { Timeout = 30_000 });

        using (var cancelled = await browser.Client.PostAsync($"/tasks/{taskId}/cancel", null))
            Assert.True(cancelled.IsSuccessStatusCode, $"cancel answered {cancelled.StatusCode}");

        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Cancelled", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#approval-actions")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#approval-summary")).ToContainTextAsync("nobody approved it, and nothing was paid");
        await Assertions.Expect(page.Locator("#approval-decision")).ToBeHiddenAsync();
    }

    Task<IBrowserContext> NewContextAsync() =>
        browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });

    async Task<JsonNode> TaskAsync(string taskId) => JsonNode.Parse(await browser.Client.GetStringAsync($"/tasks/{taskId}"))!;
}
