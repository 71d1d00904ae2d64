using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Orchestrator.Tests.Api.Dashboard;

/// <summary>What a person does on the dashboard's first page: fill in the form and start a task.</summary>
public static partial class DashboardForm
{
    /// <summary>Submits a task from the form and waits for the task's view to open; returns the task's id.</summary>
    public static async Task<string> StartResearchAsync(this IPage page, string theme, string budget, string voiceId)
    {
        await page.GetByLabel("Theme").FillAsync(theme);
        await page.GetByLabel("Budget").FillAsync(budget);
        await page.GetByLabel("Voice id").FillAsync(voiceId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Start research" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(TaskView(), new() { Timeout = 30_000 });
        return page.Url.Split('/')[^2];
    }

    [GeneratedRegex("/tasks/[0-9a-f-]{36}/view$")]
    private static partial Regex TaskView();
}
