using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Orchestrator.Tests.Api.Progress;

/// <summary>What a progress stream reads: the columns its events show, never the items' data, the report or secrets.</summary>
public sealed class StreamReadsTests(StreamReadsTests.Factory api) : IClassFixture<StreamReadsTests.Factory>
{
    [Fact]
    public async Task A_stream_of_a_completed_task_reads_its_purchases_without_their_data_or_the_report()
    {
        using var client = api.CreateClient();
        var taskId = await client.SubmitAsync("Tesla Inc financial performance 2023", budget: 50);
        await client.ReadEventsAsync(taskId);
        using var task = await client.GetAsync($"/tasks/{taskId}");
        Assert.Contains("\"status\":\"Completed\"", await task.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        api.Commands.Clear();
        var events = await client.ReadEventsAsync(taskId);

        Assert.Contains(events, e => e.Type == "quote");
        Assert.Equal("final", events[^1].Type);
        var commands = api.Commands.ToList();
        Assert.Contains(commands, c => c.Contains("research_task_purchases", StringComparison.Ordinal));
        foreach (var column in new[] { "\"data\"", "\"report_markdown\"", "\"voice_id\"", "\"payment_token\"" })
            Assert.DoesNotContain(commands, c => c.Contains(column, StringComparison.Ordinal));
    }

    /// <summary>The embedded Api with every database command it sends recorded.</summary>
    public sealed class Factory : ApiFactory
    {
        public CommandRecorder Commands { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.ConfigureDbContext<SqliteOrchestratorDbContext>(options => options.AddInterceptors(Commands)));
        }
    }

    public sealed class CommandRecorder : DbCommandInterceptor
    {
        readonly ConcurrentQueue<string> _commands = new();

        public void Clear() => _commands.Clear();

        public List<string> ToList() => [.. _commands];

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            _commands.Enqueue(command.CommandText);
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }
    }
}
