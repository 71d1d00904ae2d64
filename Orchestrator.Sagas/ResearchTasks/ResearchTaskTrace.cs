using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Orchestrator.Sagas.ResearchTasks;

public partial class ResearchTaskState
{
    /// <summary>
    /// The W3C trace id (32 hex digits) the task's workflow runs in: <c>POST /tasks</c> and every step after it share
    /// it, so one look-up in a trace store shows the whole task. Null for a task that started without tracing.
    /// </summary>
    public string? TraceId { get; set; }
}

/// <summary>The <c>trace_id</c> column of <c>research_tasks</c>.</summary>
public sealed class ResearchTaskTraceMap : IEntityTypeConfiguration<ResearchTaskState>
{
    public const int TraceIdLength = 32;

    public void Configure(EntityTypeBuilder<ResearchTaskState> builder) =>
        builder.Property(x => x.TraceId).HasMaxLength(TraceIdLength);
}
