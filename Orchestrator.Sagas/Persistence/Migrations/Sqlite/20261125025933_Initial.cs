using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "research_tasks",
                columns: table => new
                {
                    task_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    theme = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    budget = table.Column<int>(type: "INTEGER", nullable: false),
                    spent = table.Column<int>(type: "INTEGER", nullable: false),
                    voice_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    payment_token = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    completed_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    error_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    error_message = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    report_markdown = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_research_tasks", x => x.task_id);
                });

            migrationBuilder.CreateTable(
                name: "research_task_purchases",
                columns: table => new
                {
                    task_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    item_id = table.Column<int>(type: "INTEGER", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    company = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    price = table.Column<int>(type: "INTEGER", nullable: false),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    paid_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    data = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_research_task_purchases", x => new { x.task_id, x.item_id });
                    table.ForeignKey(
                        name: "fk_research_task_purchases_research_tasks_task_id",
                        column: x => x.task_id,
                        principalTable: "research_tasks",
                        principalColumn: "task_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "research_task_transitions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    task_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    from_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    to_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    @event = table.Column<string>(name: "event", type: "TEXT", maxLength: 128, nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_research_task_transitions", x => x.id);
                    table.ForeignKey(
                        name: "fk_research_task_transitions_research_tasks_task_id",
                        column: x => x.task_id,
                        principalTable: "research_tasks",
                        principalColumn: "task_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_research_task_transitions_task_id_id",
                table: "research_task_transitions",
                columns: new[] { "task_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_current_state",
                table: "research_tasks",
                column: "current_state");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "research_task_purchases");

            migrationBuilder.DropTable(
                name: "research_task_transitions");

            migrationBuilder.DropTable(
                name: "research_tasks");
        }
    }
}
