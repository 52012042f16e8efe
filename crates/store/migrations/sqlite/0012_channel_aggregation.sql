-- How a channel metric's months add up: suma (flows: interactions, visits), ultimo
-- (stocks: followers) or maximo. Set by the import for every month of the metric.
ALTER TABLE channel_figures ADD COLUMN aggregation TEXT NOT NULL DEFAULT 'suma';
