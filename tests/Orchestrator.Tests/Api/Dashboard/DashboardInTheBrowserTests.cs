using Microsoft.Playwright;
using Orchestrator.Tests.Api.Progress;

namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>
/// The dashboard in Debian's Chromium (installed by .ci/services.sh), driven by Playwright, against the Api in its
/// embedded mode on a real port. The screenshot of the task view is left in the test output's <c>artifacts</c> folder.
/// </summary>
public sealed class DashboardInTheBrowserTests(BrowserSession browser) : IClassFixture<BrowserSession>
{
    [Fact]
    public async Task A_task_submitted_from_the_form_is_followed_live_to_Completed_with_its_spending_and_report()
    {
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);

        await page.GotoAsync("/");
        // The form's page hands over to the task's view, which follows the stream until the task ends.
        await page.StartResearchAsync("Tesla Inc financial performance 2023", "30", "user_voice_123");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 60_000 });
        await Assertions.Expect(page.FrameLocator("#report").Locator("h1")).ToBeVisibleAsync(new() { Timeout = 10_000 });

        var taskId = page.Url.Split('/')[^2];
        var task = JsonNode.Parse(await browser.Client.GetStringAsync($"/tasks/{taskId}"))!;
        var spent = task["spent"]!.GetValue<long>();
        Assert.True(spent > 0);
        Assert.Equal(spent.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#spent").TextContentAsync());
        Assert.Equal(spent == 30 ? "0" : (30 - spent).ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator("#burn").GetAttributeAsync("aria-valuenow"));
        Assert.Equal("Tesla Inc financial performance 2023", await page.Locator("h1").TextContentAsync());
        await Assertions.Expect(page.Locator("#timeline li").Last).ToContainTextAsync("Completed");
        await Assertions.Expect(page.Locator("#plan tbody tr").Filter(new() { HasText = "Fetched" }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#trace")).ToHaveTextAsync(task["trace_id"]!.GetValue<string>());
        Assert.Empty(scriptErrors);

        Directory.CreateDirectory(BrowserSession.Artifacts);
        // A tall viewport rather than a full-page capture: the report's sandboxed frame renders in its own process,
        // which full-page captures of headless Chromium leave blank.
        await page.SetViewportSizeAsync(1100, await page.EvaluateAsync<int>("() => document.documentElement.scrollHeight"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserSession.Artifacts, "task-view.png") });
    }

    [Fact]
    public async Task At_phone_width_the_pages_fit_the_screen_every_field_has_a_label_and_text_is_never_markup()
    {
        const string theme = "Renewable energy <img src=x onerror=alert(1)> investment";
        var taskId = await browser.Client.SubmitAsync(theme, budget: 20);
        await using var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions { BaseURL = browser.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 375, Height = 740 }, IsMobile = true });
        var page = await context.NewPageAsync();

        foreach (var path in new[] { "/", $"/tasks/{taskId}/view" })
        {
            await page.GotoAsync(path);
            if (path != "/")
                await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });

            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{path} scrolls sideways at 375 px");
            var unlabelled = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('input, select, textarea')].filter(e => !e.labels || e.labels.length === 0).length");
            Assert.Equal(0, unlabelled);
        }

        Assert.Equal(theme, await page.Locator("h1").TextContentAsync());
        Assert.Equal(0, await page.Locator("main img, h1 img").CountAsync());

        // Keyboard: the skip link comes first and the form is reachable with Tab.
        await page.GotoAsync("/");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Directory.CreateDirectory(BrowserSession.Artifacts);
        await page.GotoAsync($"/tasks/{taskId}/view");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserSession.Artifacts, "task-view-phone.png"), FullPage = true });
    }
}
