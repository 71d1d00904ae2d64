using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Tasks;

namespace Orchestrator.Tests.Api.Tasks;

public sealed class TaskViewProjectionTests
{
    [Fact]
    public void The_view_reads_the_plan_in_the_same_query_without_the_bought_items_data()
    {
        using var db = ProviderOptions.CreateContext(DatabaseProvider.Sqlite, "Data Source=:memory:");

        var sql = db.UntrackedTasks.Select(TaskViewProjection.Shown).ToQueryString();

        Assert.Contains("research_task_purchases", sql, StringComparison.Ordinal);
        Assert.Contains(".\"skip_reason\"", sql, StringComparison.Ordinal);
        Assert.DoesNotContain(".\"data\"", sql, StringComparison.Ordinal);
        Assert.DoesNotContain(".\"payment_token\"", sql, StringComparison.Ordinal);
    }
}
